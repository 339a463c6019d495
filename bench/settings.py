"""The production settings with the bench's URLs (the product's, and a bare view)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
