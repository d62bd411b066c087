"""The OData subset Batch list operations accept: $filter and $select.

$filter (docs: "OData filters in Batch", "Create queries to list Batch resources efficiently"):
comparisons ``eq ne gt ge lt le`` on id, state, creationTime and stateTransitionTime, plus
``startswith(id,'x')``, combined with ``and``/``or`` and parentheses. Property names are
case-sensitive, string values are compared case-insensitively, and date-times are written
``DateTime'2011-05-08T08:49:37Z'`` or ``DateTime'Sun, 08 May 2011 08:49:37 GMT'``. An invalid
property or operator is a 400 error.
"""

import re

from .wire import parse_http_date, parse_iso

FILTERABLE = {
    # property: (type, allowed operators)
    "id": ("string", ("eq", "ne", "gt", "ge", "lt", "le", "startswith")),
    "state": ("string", ("eq", "ne")),
    "creationTime": ("datetime", ("eq", "ne", "gt", "ge", "lt", "le")),
    "stateTransitionTime": ("datetime", ("eq", "ne", "gt", "ge", "lt", "le")),
}
COMPARISONS = {
    "eq": lambda a, b: a == b, "ne": lambda a, b: a != b,
    "gt": lambda a, b: a > b, "ge": lambda a, b: a >= b,
    "lt": lambda a, b: a < b, "le": lambda a, b: a <= b,
}

# Top-level properties of CloudJob and CloudTask (2024-07-01.20.0); $select may name these.
JOB_PROPERTIES = frozenset((
    "id", "displayName", "usesTaskDependencies", "url", "eTag", "lastModified", "creationTime", "state",
    "stateTransitionTime", "previousState", "previousStateTransitionTime", "priority", "allowTaskPreemption",
    "maxParallelTasks", "constraints", "jobManagerTask", "jobPreparationTask", "jobReleaseTask",
    "commonEnvironmentSettings", "poolInfo", "onAllTasksComplete", "onTaskFailure", "networkConfiguration",
    "metadata", "executionInfo", "stats"))
TASK_PROPERTIES = frozenset((
    "id", "displayName", "url", "eTag", "lastModified", "creationTime", "exitConditions", "state",
    "stateTransitionTime", "previousState", "previousStateTransitionTime", "commandLine", "containerSettings",
    "resourceFiles", "outputFiles", "environmentSettings", "affinityInfo", "constraints", "requiredSlots",
    "userIdentity", "executionInfo", "nodeInfo", "multiInstanceSettings", "stats", "dependsOn",
    "applicationPackageReferences", "authenticationTokenSettings"))

# CloudJobSchedule and SubtaskInformation (2024-07-01.20.0).
JOB_SCHEDULE_PROPERTIES = frozenset((
    "id", "displayName", "url", "eTag", "lastModified", "creationTime", "state", "stateTransitionTime",
    "previousState", "previousStateTransitionTime", "schedule", "jobSpecification", "executionInfo", "metadata",
    "stats"))
SUBTASK_PROPERTIES = frozenset((
    "id", "nodeInfo", "startTime", "endTime", "exitCode", "containerInfo", "failureInfo", "state",
    "stateTransitionTime", "previousState", "previousStateTransitionTime", "result"))

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<datetime>[Dd][Aa][Tt][Ee][Tt][Ii][Mm][Ee]'(?P<dtvalue>[^']*)')
    | (?P<string>'(?P<svalue>(?:[^']|'')*)')
    | (?P<number>-?\d+(?:\.\d+)?)
    | (?P<punct>[(),])
    | (?P<word>[A-Za-z_][A-Za-z0-9_/]*)
    )""", re.VERBOSE)


class ODataError(ValueError):
    """The text is not in the supported subset; the message is the reason given to the caller."""


def _tokenize(text):
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match:
            raise ODataError(f"Unexpected text at position {position}: {text[position:position + 20]!r}")
        position = match.end()
        if match.group("datetime"):
            tokens.append(("datetime", match.group("dtvalue")))
        elif match.group("string") is not None:
            tokens.append(("string", match.group("svalue").replace("''", "'")))
        elif match.group("number"):
            tokens.append(("number", match.group("number")))
        elif match.group("punct"):
            tokens.append((match.group("punct"), match.group("punct")))
        else:
            tokens.append(("word", match.group("word")))
    return tokens


class _Parser:
    def __init__(self, text):
        self.tokens = _tokenize(text)
        self.position = 0

    def peek(self):
        return self.tokens[self.position] if self.position < len(self.tokens) else (None, None)

    def take(self, kind=None, value=None):
        token = self.peek()
        if token[0] is None or (kind and token[0] != kind) or (value and str(token[1]).lower() != value):
            wanted = value or kind or "more text"
            raise ODataError(f"Expected {wanted} but found {token[1]!r}")
        self.position += 1
        return token

    def is_word(self, word):
        kind, value = self.peek()
        return kind == "word" and value.lower() == word

    def parse(self):
        if not self.tokens:
            raise ODataError("The filter is empty")
        predicate = self.disjunction()
        if self.peek()[0] is not None:
            raise ODataError(f"Unexpected {self.peek()[1]!r}")
        return predicate

    def disjunction(self):
        terms = [self.conjunction()]
        while self.is_word("or"):
            self.take()
            terms.append(self.conjunction())
        return terms[0] if len(terms) == 1 else (lambda item: any(term(item) for term in terms))

    def conjunction(self):
        terms = [self.primary()]
        while self.is_word("and"):
            self.take()
            terms.append(self.primary())
        return terms[0] if len(terms) == 1 else (lambda item: all(term(item) for term in terms))

    def primary(self):
        if self.peek()[0] == "(":
            self.take("(")
            inner = self.disjunction()
            self.take(")")
            return inner
        if self.is_word("startswith"):
            return self.startswith()
        return self.comparison()

    def startswith(self):
        self.take()
        self.take("(")
        name = self.property_name("startswith")
        self.take(",")
        prefix = self.literal(name)
        self.take(")")
        return lambda item: str(item[name]).lower().startswith(prefix)

    def comparison(self):
        name = self.take("word")[1]
        operator = str(self.take("word")[1]).lower()
        self.check(name, operator)
        value = self.literal(name)
        compare = COMPARISONS[operator]
        if FILTERABLE[name][0] == "string":
            return lambda item: compare(str(item[name]).lower(), value)
        return lambda item: item[name] is not None and compare(item[name], value)

    def property_name(self, operator):
        name = self.take("word")[1]
        self.check(name, operator)
        return name

    @staticmethod
    def check(name, operator):
        if name not in FILTERABLE:
            raise ODataError(f"The property '{name}' cannot be used in a filter")
        if operator not in FILTERABLE[name][1]:
            raise ODataError(f"The operator '{operator}' cannot be used with the property '{name}'")

    def literal(self, name):
        kind, value = self.take()
        wanted = FILTERABLE[name][0]
        if wanted == "string" and kind == "string":
            return value.lower()
        if wanted == "datetime" and kind == "datetime":
            moment = parse_iso(value)
            if moment is None:
                moment = parse_http_date(value)
            if moment is None:
                raise ODataError(f"The date-time '{value}' is not valid")
            return moment
        raise ODataError(f"The property '{name}' needs a {wanted} value, not {value!r}")


def parse_filter(text):
    """A predicate over a dict of filterable values; ODataError when the text is not supported."""
    return _Parser(text).parse()


def parse_select(text, allowed):
    """The property names of a $select clause; ODataError for an unknown or nested property."""
    names = [name.strip() for name in text.split(",")]
    for name in names:
        if name not in allowed:
            raise ODataError(f"The property '{name}' cannot be selected")
    return names


def apply_select(doc, names):
    """Keep odata.metadata and the selected top-level properties, in the document's order."""
    wanted = set(names)
    return {key: value for key, value in doc.items() if key == "odata.metadata" or key in wanted}
