"""Indicators of the devices module (DESIGN.md rule 4), registered when the app is ready."""
