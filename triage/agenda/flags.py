"""The agenda flag vocabulary: markers such as URGENT or SKIPPED that minutes put next to an item.

`FLAGS` names each flag with its one-line meaning (the app shows it). `detect_flags` reads them from
the prose of a heading, bullet or line: its plain text without link texts and URLs, so that a linked
title ("[disable deferred inlining](...)") sets nothing. The phrases come from a survey of real
minutes (Falco core maintainers 2019-2025, Node.js TSC 2023-2025), e.g. Falco's `**[URGENT]**`,
`(under evaluation)`, `[if time permits]` and `SKIPPED:`, and the Node.js TSC's "skip for this week"
and "remove from agenda". `neglected` reads the ways a meeting says that items have waited on the
maintainers: Falco's "PRs or issues that have not been given priority", and triage wording such as
"needs attention", "stale PRs", Kubernetes' `lifecycle/stale` label, "waiting for review", "waiting
on maintainers", "fell through the cracks". A phrase preceded by a negation ("should not be a
blocker", "isn't URGENT") does not count. `tsc-agenda` is not a phrase: `context` sets it on
the entries under `### owner/repo` headings of minutes that say their items come from the agenda
label (`AGENDA_LABEL_STATEMENT`).
"""

from __future__ import annotations

import re

# Flag -> what it means; the order is the order the app lists them in.
FLAGS: dict[str, str] = {
    "urgent": "marked URGENT (or [urgent]) in the minutes",
    "neglected": "the minutes say it has waited too long: not been given priority, needs attention, stale,"
    " waiting for review or on maintainers, fell through the cracks",
    "priority": "called a top or high priority, or listed under the release's priorities",
    "blocked": "blocked, a blocker, or on hold",
    "needs-review": "the minutes ask for reviews: needs review, ready for review, PTAL, schedule PR reviews",
    "under-evaluation": "still being evaluated: under evaluation, to be evaluated, evaluate",
    "experimental": "to be shipped or tagged as experimental",
    "wip": "work in progress (WIP)",
    "vote": "a vote on it was started or proposed",
    "if-time-permits": "to be discussed only if time permits",
    "skipped": "skipped at this meeting: SKIPPED, skip for this week",
    "deferred": "postponed or deferred to a later meeting or release",
    "remove-from-agenda": "to come off the agenda: remove from agenda, removed the agenda label",
    "tsc-agenda": "put on the agenda by the project's agenda label (Node.js: tsc-agenda)",
}

# Flag -> the phrases that set it. Quantifiers are bounded or run over disjoint classes, so no
# pattern backtracks catastrophically on long input.
_PATTERNS: dict[str, re.Pattern[str]] = {
    # Case-sensitive on purpose: "Isn't urgent and doesn't have an obvious question" is prose.
    "urgent": re.compile(r"\bURGENT\b|(?i:[\[(]urgent[\])])"),
    # Each phrase says the items waited on the maintainers; "waiting on the author" is not one of them.
    "neglected": re.compile(
        r"(?i)(?:\bnot|n[\u2019']t)\s(?:yet\s)?been\s(?:given\s(?:any\s)?|assigned\s(?:a\s)?)?priority\b"
        r"|\b(?:needs?|needing|requires?|requiring|deserves?)\s(?:some\s|more\s|urgent\s|maintainers?[\u2019']?\s)?"
        r"(?:attention|love)\b"
        r"|\b(?:stale|stalled|neglected|forgotten|languishing|unanswered|unreviewed|unattended)\s"
        r"(?:PRs?|pull\srequests?|issues?|items?|threads?|tickets?|discussions?|proposals?)\b"
        r"|\b(?:marked|gone|went|became|becoming|going|getting|turned)\s(?:as\s)?stale\b|\blifecycle/(?:stale|rotten)\b"
        r"|^stale\b|\bneglected\b|\b(?:fell|fallen|falling|falls?|slipped|slipping|slips?)\sthrough\sthe\scracks\b"
        r"|\b(?:waiting|waited|awaiting|waits?)\s(?:for\s|on\s)?(?:a\s|an\s|the\s)?(?:maintainers?['\u2019]?\s)?"
        r"(?:reviews?|reviewers?|approvers?|approvals?|maintainers?|committers?|TSC|TOC)\b"
        r"|\b(?:open|waiting|pending)\sfor\s(?:over\s|more\sthan\s|several\s|many\s)?(?:\d{1,4}\s)?"
        r"(?:months|weeks|years?|a\s(?:long\s)?while|a\slong\stime|ages)\b"
        r"|\bno\s(?:maintainer\s|reviewer\s)?(?:responses?|reply|replies|reviews?)\s(?:yet|so\sfar"
        r"|from\s(?:the\s)?(?:maintainers?|reviewers?|approvers?))\b"
        r"|(?:\bnot|n[\u2019']t)\s(?:yet\s)?(?:been\s)?reviewed\b"
    ),
    # "not been given priority" and "prioritization" are not a priority call.
    "priority": re.compile(r"(?i)\b(?:top|high|highest)[- ]priority\b|\bpriorities\b|\bprioriti[sz]ed?\b"),
    # "blocking" alone is mostly technical ("non blocking outputs"), so it is not a marker.
    "blocked": re.compile(r"(?i)\bblocked\b|\bblockers?\b|\bon[- ]hold\b"),
    "needs-review": re.compile(
        r"(?i)\bneeds?\s(?:a\s|more\s|some\s)?reviews?\b|\bready\sfor\sreview\b|\breview\sneeded\b"
        r"|\bPTAL\b|\bplease\s(?:review|take\sa\slook)\b|\bschedul\w{0,5}\s(?:(?:PR|code)\s)?reviews?\b"
        r"|\bgive\sfeedback\b|\bfinal\sreview\b|^review\b"
    ),
    "under-evaluation": re.compile(
        r"(?i)\bunder\s(?:evaluation|consideration)\b|\b(?:being|to\sbe)\sevaluated\b|^evaluate\b"
    ),
    # Node.js PR titles say "add experimental web storage": a title word is not a decision.
    "experimental": re.compile(
        r"(?i)\bas\s(?:an?\s)?experimental\b|[\[(]experimental[\])]|\bexperimental\smode\b"
    ),
    "wip": re.compile(r"(?i)\bwip\b|\bwork\sin\sprogress\b"),
    "vote": re.compile(
        r"(?i)\b(?:start|call|open|move)\w{0,3}\s(?:\w{1,20}\s){0,2}?(?:as\s|to\s|for\s)?an?\svote\b"
        r"|\bvote\s(?:has\sbeen|was|is)\s(?:started|opened|called)\b"
    ),
    "if-time-permits": re.compile(
        r"(?i)\bif\s(?:we\shave\s)?time\s(?:permits|allows)\b|\btime\spermitting\b|\bif\sthere\sis\stime\b"
    ),
    "skipped": re.compile(r"(?i)\bskipped\b|\bskip\s(?:it\s)?(?:for\s)?(?:this|today)\b|[\[(]skip[\])]"),
    "deferred": re.compile(
        r"(?i)\b(?:postpone[ds]?|postponing|defer(?:red|ring|s)?)\b"
        r"|\b(?:discuss|revisit)\w{0,3}\s(?:it\s)?next\s(?:time|meeting|week|call)\b"
    ),
    "remove-from-agenda": re.compile(
        r"(?i)\b(?:remov\w{0,4}|drop\w{0,4}|tak(?:e|en|ing)|took)\s(?:it\s|this\s)?(?:from|off)\s"
        r"(?:the\s)?(?:[\w-]{1,20}\s)?agenda\b"
        r"|\bremov\w{0,4}\s(?:the\s)?[\w-]{0,20}agenda\s(?:tag|label|issue)\b"
    ),
}
# Node.js TSC minutes open their agenda with "Extracted from **tsc-agenda** labeled issues and pull
# requests from the **nodejs org** prior to the meeting": the items under the repo headings carry it.
AGENDA_LABEL_STATEMENT = re.compile(r"(?i)\bextracted\sfrom\s(?:the\s)?[\w-]{0,30}agenda[\w-]{0,30}\slabel")

# Flag -> lower-case words one of which its phrases contain: a cheap test before the regex runs.
_KEYWORDS: dict[str, tuple[str, ...]] = {
    "urgent": ("urgent",),
    "neglected": ("priorit", "attention", "love", "stale", "stalled", "neglect", "forgotten", "languish",
                  "unanswered", "unreviewed", "unattended", "cracks", "wait", "month", "week", "year", "while",
                  "long time", "ages", "no re", "reviewed"),
    "priority": ("priorit",),
    "blocked": ("block", "hold"),
    "needs-review": ("review", "ptal", "take a look", "feedback"),
    "under-evaluation": ("evaluat", "consideration"),
    "experimental": ("experimental",),
    "wip": ("wip", "progress"),
    "vote": ("vote",),
    "if-time-permits": ("time",),
    "skipped": ("skip",),
    "deferred": ("postpon", "defer", "next"),
    "remove-from-agenda": ("agenda",),
}
_ANY_KEYWORD = re.compile("|".join(re.escape(word) for words in _KEYWORDS.values() for word in words))

# A negation right before a phrase ("should not be a blocker", "won't block", "non blocking").
_NEGATED = re.compile(r"(?:\bnot|n[\u2019']t|\bnever|\bwithout)\s(?:\S{1,20}\s){0,2}$|\b(?:no|non)[\s-]$")
_NEGATION_WINDOW = 30  # characters looked at before a phrase: "not" plus two short words


def detect_flags(text: str) -> frozenset[str]:
    """The flags whose phrases occur un-negated in `text` (whitespace already collapsed)."""
    lower = text.lower()
    if not _ANY_KEYWORD.search(lower):  # most lines carry no flag at all
        return frozenset()
    found = set()
    for flag, pattern in _PATTERNS.items():
        if not any(word in lower for word in _KEYWORDS[flag]):
            continue
        for m in pattern.finditer(text):
            before = text[max(0, m.start() - _NEGATION_WINDOW) : m.start()].lower()
            if not _NEGATED.search(before):
                found.add(flag)
                break
    return frozenset(found)
