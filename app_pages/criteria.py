"""Criteria: what each criterion measures (from its docstring) and its weight in every preset."""

import inspect

import pandas as pd
import streamlit as st

from triage.agenda import FLAGS
from triage.criteria import CRITERIA, title
from triage.markup import inline as md
from triage.ui import session

config = session.config()
st.title("Criteria")
st.write(
    "Each criterion scores an item from 0 to 1 and says why in one line. An item's score is the "
    "weighted mean of its criteria, so its contributions add up to it and only the ratios between "
    "weights matter. Weights and presets come from `triage.toml` (read from: "
    + ", ".join(md(s) for s in config.sources) + ")."
)
for name, criterion in CRITERIA.items():
    st.subheader(title(name))
    st.markdown(inspect.getdoc(criterion) or "")
    st.caption(f"TOML key: `{name}`")

st.subheader("Weights by preset")
st.dataframe(
    pd.DataFrame({p.name: p.weights for p in config.presets.values()}).rename(index=title),
    key="preset_weights",
)

st.subheader("Agenda flags")
st.write("Read from the words around each reference in the minutes; `[params.flags]` in triage.toml "
         "gives each a score for the Agenda flags criterion.")
flag_scores = dict(config.preset().params.flag_scores)
st.dataframe(
    pd.DataFrame({
        "Flag": list(FLAGS),
        "Meaning": list(FLAGS.values()),
        "Score": [flag_scores.get(f) for f in FLAGS],
    }),
    hide_index=True,
    key="flag_vocabulary",
)
