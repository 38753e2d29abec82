"""Local mode's VTL subset: what it renders as API Gateway does, and the clear error for anything else."""

from __future__ import annotations

import json

import pytest

from local.apigateway.vtl import CONTEXT_KEYS, UTIL, Input, VtlError, parse, render
from local.apigateway.vtl import nodes
from local.apigateway.vtl.runtime import UTIL_IMPLEMENTATIONS


def names(body: str = "", **params) -> dict:
    context = {"requestId": "req-1", "stage": "dev", "httpMethod": "GET", "resourcePath": "/info/{section}",
               "authorizer": {"claims": {"sub": "user-1"}}, "identity": {"sourceIp": "127.0.0.1"},
               "responseOverride": {"status": None, "header": {}}}
    params = {"path": {"section": "general"}, "querystring": {"q": "1"}, "header": {"Origin": "https://a.example"},
              **params}
    return {"input": Input(body, params), "context": context, "stageVariables": {"version": "7"}, "util": UTIL}


def test_the_templates_the_program_uses():
    from multitier._patterns.gateway_routes import HEALTH_TEMPLATE, INFO_REQUEST, INFO_SECTION, INFO_VENUE

    variables = names()
    assert json.loads(render(INFO_REQUEST, variables)) == {"section": "general"}
    # whatever the caller puts in the path, the function gets JSON (escapeJavaScript alone writes \' for ')
    for section in ("it's", "a\\'b", 'q"\\/', "\x00\n\x9d\U00035ee8"):
        assert json.loads(render(INFO_REQUEST, names(path={"section": section}))) == {"section": section}
    result = json.dumps({"section": "transport", "content": ["Light rail"]})
    assert json.loads(render(INFO_SECTION, names(result))) == {"section": "transport", "content": ["Light rail"]}
    assert json.loads(render(INFO_VENUE, names(result))) == ["Light rail"]
    health = json.loads(render(HEALTH_TEMPLATE, variables))
    assert health["status"] == "ok" and health["stage"] == "dev" and health["request_id"] == "req-1"


def test_references_properties_methods_and_quiet_references():
    variables = names('{"a": {"b": [1, 2, 3]}, "s": "x"}')
    template = ("$context.requestId ${context.stage} $context.authorizer.claims.sub $stageVariables.version "
                "$input.params('section') $input.params('q') $input.params('origin') [$input.params('none')] "
                "$input.path('$.a.b').size() $input.json('$.a') $input.path('$.a.b')[1] $!nothing $!{nothing.x}"
                " $input.params().path.section")
    assert render(template, variables) == ('req-1 dev user-1 7 general 1 https://a.example [] 3 {"b": [1, 2, 3]} 2'
                                           '   general')
    assert render('$context.stage.replace("e", "E").replace("x", "y")', variables) == "dEv"  # literal text


def test_set_if_elseif_else_and_foreach():
    template = ('#set($o = $input.params("Origin"))'
                '#if($o == "https://b.example")b#elseif($o == "https://a.example" && $stageVariables.version != "6")'
                'a#{else}none#end|'
                '#foreach($k in $input.params().path.keySet())"$k": "$input.params().path.get($k)"'
                '#if($foreach.hasNext),#end#end|'
                '#foreach($n in [1..3])$velocityCount:$n#if(!$foreach.last) #end#end|'
                '#set($m = {"k": "v"})#set($ignored = $m.put("n", 2))$m $m.size() $m.containsKey("n")|'
                '#if($input.params("none") == "")empty#end ## a comment to the end of the line\n'
                '#* a block comment *#done')
    variables = names(path={"section": "general", "id": "7"})
    assert render(template, variables) == ('a|"section": "general","id": "7"|1:1 2:2 3:3|{k=v, n=2} 2 true|empty '
                                           'done')


def test_response_override_is_written_into_the_context_the_caller_reads():
    variables = names()
    render('#set($context.responseOverride.status = 418)'
           '#set($context.responseOverride.header.Access-Control-Allow-Origin = $input.params("Origin"))', variables)
    assert variables["context"]["responseOverride"] == {"status": 418,
                                                        "header": {"Access-Control-Allow-Origin": "https://a.example"}}


def test_util_functions():
    rendered = render('''$util.escapeJavaScript("it's")|$util.escapeJavaScript('a "quote" / é')|'''
                      '$util.urlEncode("a b&c")|$util.urlDecode("a+b%26c")|$util.base64Encode("hi")|'
                      '''$util.base64Decode("aGk=")|$util.parseJson('{"n": 2}').n''', names())
    assert rendered == r'''it\'s|a \"quote\" \/ \u00E9|a+b%26c|a b&c|aGk=|hi|2'''


@pytest.mark.parametrize("template, message", [
    ("#macro(x)#end", "#macro is not in local mode's VTL subset"),
    ("#parse('x.vm')", "#parse is not in local mode's VTL subset"),
    ("#include('x')", "#include is not in local mode's VTL subset"),
    ("#break", "#break is not in local mode's VTL subset"),
    ("$input.headers()", "$input.headers is not in local mode's VTL subset"),
    ("$util.toJson($x)", "$util.toJson is not in local mode's VTL subset"),
    ("$context.wafResponseCode", "$context.wafResponseCode is not emulated in local mode"),
    ("#set($context.requestOverride.header.x = 1)", "$context.requestOverride is not emulated"),
    ("#if($input.params('a') == 'b')x", "missing #end"),
    ("x#end", "#end without a matching #if or #foreach"),
    ("#set($a 1)", "#set needs '='"),
    ("line one\n#set($a = )", "line 2:"),
])
def test_constructs_outside_the_subset_are_refused_when_parsed(template, message):
    with pytest.raises(VtlError, match=message.replace("$", r"\$").replace("(", r"\(").replace(".", r"\.")):
        parse(template)


@pytest.mark.parametrize("template, message", [
    ("$undefined", r"\$undefined is not defined"),
    ("$input.params('q').reverse()", r"reverse\(\) on a string is not in local mode's VTL subset"),
    ("$input.path('$.a[*]')", "is not in local mode's subset"),
    ("#foreach($i in [1..1001])x#end", "API Gateway stops at 1000"),
    ("#set($n = 1 + 'one')", "needs two integers"),
])
def test_what_only_running_can_tell_is_refused_when_run(template, message):
    parse(template)  # parses: the error comes with the values
    with pytest.raises(VtlError, match=message):
        render(template, names('{"a": [1]}'))


def test_documented_vocabulary_matches_the_implementation():
    assert set(UTIL_IMPLEMENTATIONS) == nodes.UTIL_FUNCTIONS
    assert {"requestId", "stage", "authorizer", "identity", "responseOverride"} <= CONTEXT_KEYS
