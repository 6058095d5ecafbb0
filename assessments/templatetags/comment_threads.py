"""``{{ comments|threads:hide_after }}``: comments already loaded, grouped into threads."""

from django import template

from assessments.review.threads import threads_of

register = template.Library()


@register.filter
def threads(comments, hide_after=None):
    return threads_of(list(comments or []), hide_after=hide_after or None)
