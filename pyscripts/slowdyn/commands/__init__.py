"""One module per ``slowdyn`` subcommand: ``add_arguments(parser)`` and ``main(args)``."""
