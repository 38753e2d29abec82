"""The whitepaper's sample architecture patterns, keyed by their setting name."""

from multitier._patterns.microservices import Microservices
from multitier._patterns.mobile_backend import MobileBackend
from multitier._patterns.single_page_app import SinglePageApp
from multitier._patterns.web_app import WebApp

PATTERNS = {
    "mobile_backend": MobileBackend,
    "single_page_app": SinglePageApp,
    "web_app": WebApp,
    "microservices": Microservices,
}
