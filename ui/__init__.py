"""App-side helpers of the dashboard: cached steps, session state, figure builders."""
