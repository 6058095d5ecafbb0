"""Pages of the review side: queue, review of one assessment, score pages, improvement
items and information-security levels.

Thin: parse, call a selector or service, shape. Who may see what is the selectors'
(``visible_to``) and the services'; the views only refuse pages a role has no use for.
Writes answer with a redirect and a message (errors included, naming the field), so every
form works without JavaScript; the comment form also answers htmx with its fragment.
"""

from .items import (
    item_action_plan,
    item_close,
    item_detail,
    item_evidence_download,
    item_list_mine,
    item_list_staff,
    item_reopen,
    item_verify,
)
from .levels import level_override, level_supplier, levels, levels_export
from .review import (
    review_accept,
    review_comment_add,
    review_detail,
    review_queue,
    review_return,
    review_scores,
)
from .threads import comment_reply, comment_resolve

__all__ = [
    "comment_reply",
    "comment_resolve",
    "item_action_plan",
    "item_close",
    "item_detail",
    "item_evidence_download",
    "item_list_mine",
    "item_list_staff",
    "item_reopen",
    "item_verify",
    "level_override",
    "level_supplier",
    "levels",
    "levels_export",
    "review_accept",
    "review_comment_add",
    "review_detail",
    "review_queue",
    "review_return",
    "review_scores",
]
