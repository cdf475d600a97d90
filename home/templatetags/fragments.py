"""{% once %}…{% endonce %}: a fragment rendered on its first use and then reused by the process.

For the layout's markup that depends on nothing but the code and settings ({% static %} and {% url %} of
fixed names): the cached template loader keeps the node, so each process renders it once and a deploy,
which restarts the processes, renders it anew (one script prefix per process, as Django deploys it).
Nothing that varies by request, user or role goes inside.
"""

from __future__ import annotations

from django import template
from django.template.base import NodeList, Parser, Token
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


class OnceNode(template.Node):
    def __init__(self, nodelist: NodeList) -> None:
        self.nodelist = nodelist
        self.rendered: SafeString | None = None

    def render(self, context: Context) -> SafeString:
        if self.rendered is None:
            self.rendered = mark_safe(self.nodelist.render(context))  # noqa: S308 - rendered by the template engine
        return self.rendered


@register.tag
def once(parser: Parser, token: Token) -> OnceNode:
    nodelist = parser.parse(("endonce",))
    parser.delete_first_token()
    return OnceNode(nodelist)
