"""One module per ``navis`` command group. Heavy imports happen inside the command functions."""
