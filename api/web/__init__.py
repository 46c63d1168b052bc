"""The patient web page: one HTML page, a stylesheet and a script that talk to the ``/v1`` API."""
