"""The review portal: reviewers download drafts and comment, the steering group decides."""

from portal.app import create_app

__all__ = ["create_app"]
