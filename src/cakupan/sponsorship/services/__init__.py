"""Writes of sponsorship: funded periods, alerts, bill checks, target lists, endings, villages."""
