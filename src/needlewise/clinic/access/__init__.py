"""Who is acting and what they may reach: the actor, the permission gate, the signed-in request."""
