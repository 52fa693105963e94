"""What the web pages and the JSON API share at the edge: turning an HTTP request into the acting person."""
