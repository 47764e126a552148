"""The deployed worker (`raqib worker`): the Faust app, its topology and agents, its
settings, publishing, web routes, logging and failure guard, and how to run it, in this
process (`runner`) or as a child process (`child`, used by the demo, replays and tests).
"""
