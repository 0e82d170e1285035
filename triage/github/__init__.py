"""The GitHub boundary: the only package that talks to GitHub and the only one importing PyGithub.

What goes in is item keys, a scan target or a file link; what comes out is plain `ItemFacts` and
sentences, so nothing downstream can issue a request. Its parts:

* `config`: where GitHub is, the token, waits and limits; what a fetch reports back.
* `errors`: typed failures whose message is the sentence users see.
* `client`: the PyGithub client and one run's `Session` (requests counted, rate limit noted).
* `faults`: PyGithub's, requests' and GraphQL's errors mapped onto `errors`, in one place.
* `queries`, `answers`: the agenda look-up's GraphQL text, and reading GitHub's answers.
* `owners`: maintainers read from a repository's OWNERS, MAINTAINERS or CODEOWNERS file.
* `cache`, `probe`: item facts kept in SQLite, and the conditional searches that keep them fresh.
* `agenda_fetch`: an agenda's items, batched and cached.
* `scan_queries`, `scan_pages`, `scan`: every open PR (and issue) of repositories or an organisation.
* `file_links`: a minutes file named by a GitHub link.
* `doctor`: the first-minute checks of a token and an API root (`triage doctor`).
"""
