"""The whitepaper's sample architecture patterns, keyed by their setting name."""

from components.patterns.microservices import Microservices
from components.patterns.mobile_backend import MobileBackend
from components.patterns.single_page_app import SinglePageApp
from components.patterns.web_app import WebApp

PATTERN_CLASSES = {
    "mobile_backend": MobileBackend,
    "single_page_app": SinglePageApp,
    "web_app": WebApp,
    "microservices": Microservices,
}
