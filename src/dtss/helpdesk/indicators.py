"""Indicators of the helpdesk (L7.M2, L2.D2, S3.A1), registered with the framework."""
