"""The whitepaper's sample architecture patterns, keyed by their setting name."""

from multitier.patterns.microservices import Microservices
from multitier.patterns.mobile_backend import MobileBackend
from multitier.patterns.single_page_app import SinglePageApp
from multitier.patterns.web_app import WebApp

PATTERN_CLASSES = {
    "mobile_backend": MobileBackend,
    "single_page_app": SinglePageApp,
    "web_app": WebApp,
    "microservices": Microservices,
}
