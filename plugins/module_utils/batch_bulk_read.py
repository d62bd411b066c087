# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read many resources named by id in a few list requests: `$filter=id eq 'a' or id eq 'b' ...`.

"OData filters in Batch" lets the job, task and job schedule lists filter on `id` with `eq`, combined with `or`.
Each target found gets its (brief) resource; a target the lists did not return keeps resource None, so the
terminate runner reads it with a GET before calling it missing: a GET by id is case-insensitive, and whether a
`$filter` comparison is, is not documented.
"""

from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote, quote_plus, urlencode

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_errors import BatchError

# Request lines longer than 2,048 characters are refused by some proxies and gateways; no limit is documented for
# Batch. A list's next-page link repeats its query and adds a skip token, so each first request leaves room for it.
MAX_REQUEST_LINE = 2048
ROOM_FOR_PAGING = 256
_OR = quote_plus(' or ')

# kind name -> (the list path holding a target, the client call listing that path with a filter and a $select).
LISTS = {
    'job': (lambda target: '/jobs',
            lambda client, target, filter_, select: client.list_jobs(filter_, select=select)),
    'task': (lambda target: '/jobs/%s/tasks' % quote(target.job_id, safe=''),
             lambda client, target, filter_, select: client.list_tasks(target.job_id, filter_, select=select)),
    'job_schedule': (lambda target: '/jobschedules',
                     lambda client, target, filter_, select: client.list_job_schedules(filter_, select=select)),
}


def read_in_bulk(client, targets, parallel=16):
    """Fill the resource of every target the list requests return; leave the others None.

    A failed list request is not an error here: its targets stay unread, and the runner's own reads report them.
    """
    unread = [target for target in targets if target.resource is None and target.kind.name in LISTS]
    if len(unread) < 2:
        return  # one read costs one request either way, and a GET needs no fallback
    groups = {}
    for target in unread:
        groups.setdefault((target.kind.name, LISTS[target.kind.name][0](target)), []).append(target)
    chunks = []
    for (kind_name, path), members in groups.items():
        by_id = {}
        for target in members:
            by_id.setdefault(target.id.lower(), []).append(target)
        first = members[0]
        line_budget = MAX_REQUEST_LINE - ROOM_FOR_PAGING - fixed_request_length(client, path, first.kind.brief_select)
        for ids in chunk_ids([group[0].id for group in by_id.values()], line_budget):
            chunks.append((kind_name, first, ids, by_id))
    if len(chunks) == 1 or parallel <= 1:
        for chunk in chunks:
            _read_chunk(client, *chunk)
        return
    with ThreadPoolExecutor(max_workers=min(parallel, len(chunks))) as pool:
        list(pool.map(lambda chunk: _read_chunk(client, *chunk), chunks))


def _read_chunk(client, kind_name, first, ids, by_id):
    list_call = LISTS[kind_name][1]
    try:
        for resource in list_call(client, first, id_filter(ids), first.kind.brief_select):
            for target in by_id.get(str(resource.get('id', '')).lower(), ()):
                target.resource = resource
    except BatchError:
        pass


def id_filter(ids):
    """`id eq 'a' or id eq 'b'`, a single quote inside an id doubled as OData string literals need."""
    return ' or '.join(_clause(value) for value in ids)


def _clause(value):
    return "id eq '%s'" % str(value).replace("'", "''")


def chunk_ids(ids, budget):
    """Split ids into lists whose URL-encoded filter (as urlencode writes it) is at most budget characters."""
    chunks, current, length = [], [], 0
    for value in ids:
        cost = len(quote_plus(_clause(value)))
        added = cost + (len(_OR) if current else 0)
        if current and length + added > budget:
            chunks.append(current)
            current, length, added = [], 0, cost
        current.append(value)
        length += added
    if current:
        chunks.append(current)
    return chunks


def fixed_request_length(client, path, select):
    """The length of `GET <url>?<query>&%24filter= HTTP/1.1` without the filter's value: what every chunk pays."""
    query = {'$select': select, 'api-version': client.api_version}
    if client.server_timeout:
        query['timeout'] = str(client.server_timeout)
    return len('GET %s%s?%s&%s= HTTP/1.1' % (client.base_url, path, urlencode(query), quote_plus('$filter')))
