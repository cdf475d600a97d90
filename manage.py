#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    # Files and folders the application creates are its owner's only (0600/0700): database, WAL, uploads,
    # backups, SMS outbox, restored databases (personal/files.py sets the modes explicitly too).
    os.umask(0o077)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
