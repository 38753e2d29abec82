"""multitier's policy pack: named rules over what a stack registers.

The same rule functions run in three places: ``pulumi preview --policy-pack policy``
(CrossGuard, through ``policy/pack.py``), ``python -m local check`` over what the
offline engine recorded (``policy/cli.py``), and the tests, which call them directly.
"""
