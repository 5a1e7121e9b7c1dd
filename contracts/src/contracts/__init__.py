"""Public contracts between the services: events, topics, envelope, permissions and machine-client scopes.

Everything here is versioned: a change that breaks a consumer needs a new major
version (a new topic `<context>.<aggregate>.v<major+1>`), see `compatibility.py`.
"""
