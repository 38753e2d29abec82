"""``cost`` lists its items in a defined order, whatever order the program registered its resources in."""

from __future__ import annotations

import dataclasses
import random

from local import engine
from policy import cost, recorded


def test_the_estimate_is_the_same_for_any_registration_order(prod_stack):
    config = engine.stack_config("prod")
    estimate = cost.estimate(recorded.to_stack(prod_stack, "prod", config)).as_dict(cost.PriceTable.load())
    shuffled = list(prod_stack.registrations)
    random.Random(7).shuffle(shuffled)
    again = cost.estimate(recorded.to_stack(dataclasses.replace(prod_stack, registrations=shuffled), "prod",
                                            config)).as_dict(cost.PriceTable.load())
    assert again == estimate
    for pattern in estimate["patterns"].values():
        idle = [(line["resource"], line["item"]) for line in pattern["idle"]]
        routes = [(route["api"], route["path"], route["method"]) for route in pattern["routes"]]
        assert idle == sorted(idle) and routes == sorted(routes)
