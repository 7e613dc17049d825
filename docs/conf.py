"""Sphinx configuration: the docs site, built from the Markdown pages with MyST.

Build it as CI does (every warning is an error)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The pages are written for GitHub first: they link to each other as ``page.md#heading-slug``
and mark anchors that are not heading slugs with ``<a id="name"></a>`` just above a heading.
Two small hooks below let Sphinx resolve those links too, without changing the pages.
"""

import posixpath
import re

from docutils import nodes
from docutils.transforms import Transform

project = "refconv"
author = "the refconv developers"
extensions = ["myst_parser"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
myst_heading_anchors = 4  # "page.md#3-padding-conventions-side-by-side": GitHub's slugs
html_theme = "alabaster"  # Sphinx's own theme: nothing more to install

# The READMEs, included as pages (README.md is the home page, README.zh-CN.md the Chinese one),
# link to files beside them at the top of the repository; on the site each is a page in docs/.
TOP_LEVEL_PAGES = {
    "README.md": "index.md",
    "README.zh-CN.md": "zh-CN/readme.md",
    "CONTRIBUTING.md": "contributing.md",
    "CHANGELOG.md": "changelog.md",
    "LICENSE": "license.md",
}

HTML_ANCHOR = re.compile(r'<a id="([^"]+)">(</a>)?\s*')


class HtmlAnchorsAsHeadingIds(Transform):
    """Make ``<a id="x"></a>`` above a heading an anchor of that heading, as on GitHub.

    MyST keeps the tag as raw HTML (a paragraph holding ``<a id="x">`` and ``</a>``), which
    Sphinx cannot link to. The transform removes that paragraph and gives its id to the next
    section, both as an HTML id and as one of the page's heading slugs, so that
    ``[E10](#tds-52952)`` on the page and ``[E10](errata.md#tds-52952)`` from another page
    resolve. The ids stay per page: docs/errata.md and docs/zh-CN/errata.md use the same ones.
    """

    default_priority = 870  # before MyST's ResolveAnchorIds (879) reads the slugs

    def apply(self, **kwargs):
        slugs = getattr(self.document, "myst_slugs", None)
        if slugs is None:
            return  # not a MyST page
        for paragraph in list(self.document.findall(nodes.paragraph)):
            html = "".join(c.astext() for c in paragraph.children if isinstance(c, nodes.raw))
            match = HTML_ANCHOR.fullmatch(html)
            if match is None or not all(isinstance(c, nodes.raw) for c in paragraph.children):
                continue
            section = paragraph.next_node(nodes.section, include_self=False, ascend=True)
            if section is None:
                continue  # not above a heading: leave the tag as it is
            anchor = match.group(1)
            section["ids"].append(anchor)
            self.document.ids[anchor] = section
            slugs[anchor] = (paragraph.line, anchor, section[0].astext())
            paragraph.parent.remove(paragraph)


def readme_links(app, relative_path, parent_docname, content):
    """``include-read``: point a README's links to top-level files at their pages."""
    if not relative_path.name.startswith("README"):
        return
    here = posixpath.dirname(app.env.docname)  # MyST passes only the including page's stem
    for name, page in TOP_LEVEL_PAGES.items():
        content[0] = content[0].replace(f"]({name})", f"]({posixpath.relpath(page, here or '.')})")


def setup(app):
    app.add_transform(HtmlAnchorsAsHeadingIds)
    app.connect("include-read", readme_links)
