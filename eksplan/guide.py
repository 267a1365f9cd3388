"""The networking guide eksplan's rules rest on, and links to its sections.

"EKS Networking — VPC CNI & IP Management", the networking reference of the eks-best-practices
skill in aws-samples/sample-apex-skills (a summary of the EKS Best Practices Guide's networking
chapters), published at :data:`GUIDE_URL`. Rules and decisions cite a section as ``"Parent — Child"``;
the page anchors each heading as its GitHub-style slug.
"""

from __future__ import annotations

import re

__all__ = ["GUIDE_TITLE", "GUIDE_URL", "section_url", "slug"]

GUIDE_TITLE = "EKS Networking — VPC CNI & IP Management"
GUIDE_URL = "https://aws-samples.github.io/sample-apex-skills/docs/skills/eks-best-practices/references/networking"


def slug(heading: str) -> str:
    """A heading's anchor: lower case, punctuation dropped, spaces as hyphens (github-slugger's rule)."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def section_url(section: str) -> str:
    """The public page of a guide section cited as ``"Parent — Child"`` (its last part is the heading)."""
    return f"{GUIDE_URL}#{slug(section.split(' — ')[-1])}"
