"""Generated documents (every PDF of the portal): keyed, versioned, rendered by a task,
stored through Django's storage API ("documents" storage), downloaded through one scoped
view that records the access. The ground floor: imports no app."""
