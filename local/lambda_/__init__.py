"""Lambda's stand-in: each function's archive in its own worker processes, behind the real Runtime API.

``runtime``: ``LambdaRuntime`` (pools of warm workers, cold starts, timeouts, memory
limit); ``worker``: one execution environment; ``runtime_api``: the Runtime API
server a worker talks to; ``sandbox``: what a worker process sees (interpreter,
import path, Lambda's variables); ``invocation``: one invocation and its result.
(The trailing underscore keeps the folder from shadowing the ``lambda`` keyword.)
"""

from local.lambda_.invocation import FunctionNotFound, InvokeResult, function_name_of
from local.lambda_.runtime import LambdaRuntime

__all__ = ["FunctionNotFound", "InvokeResult", "LambdaRuntime", "function_name_of"]
