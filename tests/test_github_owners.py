"""Maintainers per repository, from the file that names them (OWNERS, MAINTAINERS, CODEOWNERS)."""

import pytest

from triage.github.owners import codeowners_logins, maintainers_from, maintainers_logins, owners_approvers

# Written in the style of falcosecurity's and Kubernetes' Prow OWNERS files.
OWNERS = """\
# See the OWNERS docs at https://go.k8s.io/owners
approvers:
  - leogr
  - FedeDP   # since 2021
  - "Andreagit97"
reviewers:
  - someone-reviewing
emeritus_approvers:
  - fntlnz
"""
OWNERS_FILTERS = """\
filters:
  ".*":
    approvers:
      - mstemm
    reviewers:
      - not-an-approver
  "\\\\.go$":
    approvers: [gnosek, Molter73]
options:
  no_parent_owners: true
"""
CODEOWNERS = """\
# Lines are a path pattern and its owners
*                 @falcosecurity/core-maintainers @leogr
/docs/            docs@example.com @Incertum
/userspace/libsinsp/ @FedeDP @falcosecurity/libs-approvers
"""
MAINTAINERS = """\
# Maintainers

| Name | GitHub | Affiliation |
|------|--------|-------------|
| Leonardo Grasso | [@leogr](https://github.com/leogr) | Sysdig |
| Melissa Kilby | https://github.com/incertum | Apple |

Reach us at maintainers@falco.org or on https://github.com/orgs/falcosecurity/discussions.
"""


def test_owners_files_name_their_approvers_and_not_reviewers_or_emeritus():
    assert owners_approvers(OWNERS) == {"leogr", "fededp", "andreagit97"}
    assert owners_approvers(OWNERS_FILTERS) == {"mstemm", "gnosek", "molter73"}


def test_codeowners_name_people_and_leave_teams_and_emails_out():
    assert codeowners_logins(CODEOWNERS) == {"leogr", "incertum", "fededp"}


def test_maintainers_files_name_mentions_and_profile_links():
    assert maintainers_logins(MAINTAINERS) == {"leogr", "incertum"}


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"ownersFile": OWNERS, "codeownersGithub": CODEOWNERS}, {"leogr", "fededp", "andreagit97"}),
        ({"maintainersFile": MAINTAINERS, "codeownersRoot": CODEOWNERS}, {"leogr", "incertum"}),
        # An OWNERS file without approvers names nobody: the next file counts.
        ({"ownersFile": "reviewers:\n  - a\n", "codeownersDocs": CODEOWNERS}, {"leogr", "incertum", "fededp"}),
        ({}, None),
    ],
)
def test_the_first_file_that_names_someone_wins(files, expected):
    repository = {"nameWithOwner": "o/r", **{alias: {"text": text} for alias, text in files.items()}}
    repository["codeownersRoot"] = repository.get("codeownersRoot")  # GitHub answers null for a missing file
    assert maintainers_from(repository) == expected
