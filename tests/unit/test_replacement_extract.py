"""The extraction of replace-on-change attributes from terraform-provider-aws's Go schemas."""

from __future__ import annotations

from multitier._replacement.extract import (attr_name, attributes, conditional_force_new, inlined, package_constant,
                                           plurals, strip_comments)

SDK_V2 = '''
func resourceThing() *schema.Resource {
	return &schema.Resource{
		SchemaFunc: func() map[string]*schema.Schema {
			return map[string]*schema.Schema{
				names.AttrKMSKeyID: {
					Type:     schema.TypeString,
					Optional: true,
					ForceNew: true,
				},
				"description": {
					Type:     schema.TypeString,
					Optional: true,
					// ForceNew: true  (a comment, not a flag)
				},
				"vpc_config": {
					Type:     schema.TypeList,
					Optional: true,
					Elem: &schema.Resource{
						Schema: map[string]*schema.Schema{
							names.AttrSubnetIDs: {
								Type:     schema.TypeSet,
								Required: true,
								ForceNew: true,
								Elem:     &schema.Schema{Type: schema.TypeString},
							},
							"label": {Type: schema.TypeString, Optional: true, Default: "{not a block}"},
						},
					},
				},
			}
		},
		CustomizeDiff: customdiff.ForceNewIfChange("size", func(_ context.Context, o, n, _ any) bool { return true }),
	}
}
'''

FRAMEWORK = '''
func (r *thingResource) Schema(ctx context.Context, request resource.SchemaRequest, response *resource.SchemaResponse) {
	response.Schema = schema.Schema{
		Attributes: map[string]schema.Attribute{
			"security_group_id": schema.StringAttribute{
				Required: true,
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.RequiresReplace(),
				},
			},
			"engine": schema.StringAttribute{
				Required: true,
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.RequiresReplaceIf(engineChange, "", ""),
				},
			},
			names.AttrDescription: schema.StringAttribute{Optional: true},
		},
	}
}
'''


def test_attribute_constants_become_terraform_names():
    assert attr_name("AttrKMSKeyID") == "kms_key_id"
    assert attr_name("AttrVPCID") == "vpc_id"
    assert attr_name("AttrSubnetIDs") == "subnet_ids"
    assert attr_name("AttrS3Bucket") == "s3_bucket"
    assert attr_name("AttrCertificateARN") == "certificate_arn"
    assert attr_name("AttrAWSAccountID") == "aws_account_id"


def test_sdk_v2_force_new_at_every_depth_and_nothing_in_comments():
    found = attributes(strip_comments(SDK_V2))
    assert found == {"kms_key_id": "always", "description": "", "vpc_config": "", "vpc_config.subnet_ids": "always",
                     "vpc_config.label": ""}
    assert conditional_force_new(SDK_V2) == {"size"}


def test_framework_requires_replace_and_its_conditional_form():
    assert attributes(strip_comments(FRAMEWORK)) == {"security_group_id": "always", "engine": "if", "description": ""}


def test_schemas_named_elsewhere_are_read_where_they_are_named():
    sources = {"topicSchema": 'var topicSchema = map[string]*schema.Schema{"fifo_topic": {ForceNew: true}}',
               "ruleSchema": 'func ruleSchema() *schema.Resource { return &schema.Resource{Schema: '
                             'map[string]*schema.Schema{"port": {ForceNew: true}}} }'}
    go = 'return &schema.Resource{Schema: maps.Clone(topicSchema), X: {"rule": {Elem: ruleSchema(), Optional: true}}}'
    assert attributes(inlined(go, sources.get)) == {"fifo_topic": "always", "rule": "", "rule.port": "always"}
    assert package_constant("attrRestAPIID", lambda name: 'attrRestAPIID = "rest_api_id"') == '"rest_api_id"'


def test_list_blocks_take_pulumis_plural():
    assert "local_secondary_indexes" in plurals("local_secondary_index")
    assert "snapshot_arns_to_restores" in plurals("snapshot_arns_to_restore")
