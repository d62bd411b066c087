"""Batch error codes, their HTTP statuses and messages, and the OData error body.

Messages are the texts seen on the wire where a recording or a pasted live response exists
(JobNotFound, TaskCompleted, ConditionNotMet, AuthenticationFailed, MissingRequiredQueryParameter,
InvalidQueryParameterValue, TooManyRequests); the others come from the "Batch Status and Error
Codes" page or, where Batch shares the Azure Storage front end texts, from Storage (unverified).
"""

from .wire import iso7

ERRORS = {
    "JobNotFound": (404, "The specified job does not exist."),
    "TaskNotFound": (404, "The specified task does not exist."),
    "JobCompleted": (409, "The specified job is already in a completed state."),
    "JobBeingTerminated": (409, "The specified job is being terminated."),
    "JobBeingDeleted": (409, "The specified job has been marked for deletion and is being garbage collected."),
    "TaskCompleted": (409, "The specified task is already in a completed state."),
    # Job schedule codes: from the "Batch Status and Error Codes" table; the message texts are unverified (no
    # recording), worded as the job ones are.
    "JobScheduleNotFound": (404, "The specified job schedule does not exist."),
    "JobScheduleCompleted": (409, "The specified job schedule is already in a completed state."),
    "JobScheduleBeingTerminated": (409, "The specified job schedule is being terminated."),
    "JobScheduleBeingDeleted": (409, "The specified job schedule has been marked for deletion and is being garbage collected."),
    # Codes of the table without a recorded message; texts worded as the others (unverified).
    "JobNotActive": (409, "The specified job is not in an active state."),
    "OperationInvalidForCurrentState": (409, "The specified operation is not valid for the current state of the resource."),
    "JobNotDisabled": (409, "The specified job is not in a disabled state."),
    "InvalidPropertyValue": (400, "The value provided for one of the properties in the request body is invalid."),
    "MissingRequiredProperty": (400, "A required property was not specified in the request body."),
    "ConditionNotMet": (412, "The condition specified using HTTP conditional header(s) is not met."),
    "AuthenticationFailed": (403, "Server failed to authenticate the request. "
                                  "Make sure the value of Authorization header is formed correctly including the signature."),
    # Status for a missing or unusable Authorization header: unverified.
    "InvalidAuthenticationInfo": (400, "Authentication information is not given in the correct format. Check the value of Authorization header."),
    "MissingRequiredQueryParameter": (400, "A query parameter that's mandatory for this request is not specified."),
    "InvalidQueryParameterValue": (400, "Value for one of the query parameters specified in the request URI is invalid."),
    "OutOfRangeQueryParameterValue": (400, "One of the query parameters specified in the request URI is outside the permissible range."),
    "UnsupportedQueryParameter": (400, "One of the query parameters specified in the request URI is not supported."),
    "InvalidHeaderValue": (400, "The value for one of the HTTP headers is not in the correct format."),
    "MultipleConditionHeadersNotSupported": (400, "Multiple condition headers are not supported."),
    "InvalidRequestBody": (400, "The specified Request Body is not syntactically valid."),
    "InvalidUri": (400, "The requested URI does not represent any resource on the server."),
    "UnsupportedHttpVerb": (405, "The resource doesn't support specified Http Verb."),
    "TooManyRequests": (429, "Request failed as server encountered too many requests. Please try again."),
    "InternalError": (500, "The server encountered an internal error. Please retry the request."),
    "OperationTimedOut": (500, "The operation could not be completed within the permitted time."),
    "ServerBusy": (503, "The server is currently unable to receive requests. Please retry your request."),
}

# Seen for Microsoft Entra token problems (azure-sdk-for-net issue 8026): no "including the signature".
BEARER_FAILED_MESSAGE = "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly."

# The code a status-only fault uses when the rule names no code.
DEFAULT_CODE_FOR_STATUS = {429: "TooManyRequests", 500: "InternalError", 503: "ServerBusy"}

ERROR_METADATA_SUFFIX = "/$metadata#Microsoft.Azure.Batch.Protocol.Entities.Container.errors/@Element"


class BatchApiError(Exception):
    """An error answer of the Batch API: status, code, message and optional detail values."""

    def __init__(self, code, values=None, message=None, status=None, headers=None):
        known_status, known_message = ERRORS.get(code, (500, "The server encountered an internal error. Please retry the request."))
        self.code = code
        self.status = status or known_status
        self.message = message or known_message
        self.values = list(values or [])
        self.headers = list(headers or [])
        super().__init__(f"{self.status} {code}: {self.message}")


def detail(key, value):
    return {"key": key, "value": value}


def query_value_error(code, name, value, reason=None):
    """An error about one query parameter, with the detail values the service attaches."""
    values = [detail("QueryParameterName", name)]
    if value is not None:
        values.append(detail("QueryParameterValue", value))
    if reason:
        values.append(detail("Reason", reason))
    return BatchApiError(code, values)


def error_document(base_url, error, request_id, now):
    """The JSON body of an error answer, exactly in the service's shape."""
    document = {
        "odata.metadata": base_url + ERROR_METADATA_SUFFIX,
        "code": error.code,
        "message": {"lang": "en-US", "value": f"{error.message}\nRequestId:{request_id}\nTime:{iso7(now)}"},
    }
    if error.values:
        document["values"] = error.values
    return document
