"""Parsing a source article: `# title`, `## section`, one `[n] paragraph` per line."""

import re
from dataclasses import dataclass, field

PARAGRAPH_RE = re.compile(r"^\[(\d+)\]\s+(.*\S)\s*$")


@dataclass(frozen=True)
class Paragraph:
    number: int
    section: str
    text: str


@dataclass
class Article:
    slug: str
    title: str
    paragraphs: dict[int, Paragraph] = field(default_factory=dict)

    def text_of(self, numbers: list[int]) -> str:
        return "\n".join(self.paragraphs[n].text for n in numbers if n in self.paragraphs)


class ArticleFormatError(ValueError):
    pass


def parse_article(slug: str, text: str) -> Article:
    article = Article(slug=slug, title=slug)
    section = ""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("# "):
            article.title = line[2:].strip()
        elif line.startswith("## "):
            section = line[3:].strip()
        elif match := PARAGRAPH_RE.match(line):
            n = int(match.group(1))
            if n in article.paragraphs:
                raise ArticleFormatError(f"{slug}: line {number}: paragraph [{n}] appears twice")
            article.paragraphs[n] = Paragraph(n, section, match.group(2))
    if not article.paragraphs:
        raise ArticleFormatError(f"{slug}: no numbered paragraphs ([1] ...) found")
    return article
