"""Ranking: from facts to an ordered list with reasons, pure and vectorised.

* `turns`: whose turn it is (the ball) and why, one rule per function;
* `timelines`: readings of every item's timeline over the event columns (last reply, holds, labels then);
* `signals`: the per-item signals criteria read, computed for all items at once;
* `criteria`: the prioritization criteria, one small documented function each;
* `scoring`: criteria values to weighted scores, ranks and "why" texts;
* `weights`: presets, weights and parameters from `triage.toml`;
* `as_of`: judging every item as of a past moment;
* `filters`: focus filters (repository, kind, state, author, label, flag, whose turn).
"""
