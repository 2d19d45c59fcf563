"""Regional jämförelse (placeholder: the page owner replaces this file)."""

import streamlit as st

st.title("Regional jämförelse")
st.info("Sidan byggs.")
