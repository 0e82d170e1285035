"""Criteria: what each criterion measures (from its docstring), its weight in every preset, and the
settings in force: area weights, label rules, release targets and agenda-flag scores."""

import inspect

import pandas as pd
import streamlit as st

from triage.agenda import FLAGS
from triage.markup import code
from triage.markup import inline as md
from triage.ranking.criteria import CRITERIA, title
from triage.ui import ranking_view, session, weights_panel

config = session.config()
preset, _ = weights_panel.current(config)
params = preset.params
st.title("Criteria")
st.write(
    "Each criterion scores an item from 0 to 1 and says why in one line. An item's score is the "
    "weighted mean of its criteria: each criterion's weight times its score, divided by the total "
    "weight, so its contributions add up to it and only the ratios between weights matter. Weights "
    "and presets come from `triage.toml` (read from: " + ", ".join(code(s) for s in config.sources) + ")."
)
for name, criterion in CRITERIA.items():
    st.subheader(title(name))
    st.markdown(inspect.getdoc(criterion) or "")
    st.caption(f"TOML key: `{name}`")

st.subheader("Weights by preset")
weights = pd.DataFrame({p.name: p.weights for p in config.presets.values()}).rename(index=title)
ranking_view.show_frame(weights.rename_axis("Criterion").reset_index(), key="preset_weights")

st.subheader(f"Settings of the preset “{md(preset.name)}”")
st.caption("`[params]` in triage.toml; a preset may override them.")
st.markdown("**Release targets** (milestones or agenda headings that count as the next release): "
            + (", ".join(code(t) for t in params.release_targets) or "none set"))
st.markdown("**Area weights** (repository glob, first match wins)")
ranking_view.show_frame(pd.DataFrame(
    [*params.area_weights, ("any other repository", params.area_default)], columns=["Repository", "Score"]),
    key="area_weights")
st.markdown("**Label rules** (label glob, highest match wins)")
if params.label_rules:
    ranking_view.show_frame(pd.DataFrame(list(params.label_rules), columns=["Label", "Score"]), key="label_rules")
else:
    st.caption("No label rules: labels score nothing.")
st.markdown("**Labels meaning ready** " + ", ".join(code(x) for x in params.ready_labels)
            + " · **labels meaning work in progress** " + ", ".join(code(x) for x in params.wip_labels))

st.subheader("Agenda flags")
st.write("Read from the words around each reference in the minutes; `[params.flags]` in triage.toml "
         "gives each a score for the Agenda flags criterion. A flag without one scores 0.")
flag_scores = dict(params.flag_scores)
ranking_view.show_frame(
    pd.DataFrame({
        "Flag": list(FLAGS),
        "Meaning": list(FLAGS.values()),
        "Score": [f"{flag_scores[f]:g}" if f in flag_scores else "not scored (0)" for f in FLAGS],
    }),
    key="flag_vocabulary",
)
