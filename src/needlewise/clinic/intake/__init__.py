"""From a person's result to a clinic: public clinic pages and requests, and the clinic's intake inbox."""
