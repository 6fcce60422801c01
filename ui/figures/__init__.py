"""Figure builders: DataFrame in, plotly/altair figure out; one module per page family."""
