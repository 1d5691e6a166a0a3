"""CloudFormation behaviour moto 5.2.x lacks, for the deploy/destroy rehearsal (scripts/verify/rehearsal.ts).

moto's DeleteStack deletes a resource through its model's `delete(account_id, region)` or
`delete_from_cloudformation_json`; nine EC2 types in this app's template have neither, so moto leaves
them behind, then refuses to delete the VPC ("has dependencies") and `cdk destroy` fails although a
real CloudFormation would delete them. This module gives those models a `delete` that calls moto's
own EC2 API implementation (the same code DeleteRouteTable, DeleteNatGateway, ... run), and raises
whatever that raises, so moto's delete loop retries in dependency order as CloudFormation would.

Second, moto computes a stack's outputs when the stack is created; a stack created through a change
set (as `cdk deploy` does) is created from an empty template and filled by ChangeSet.apply, which
does not compute them again, so DescribeStacks shows no outputs. The patched apply computes them from
the change set's template.

It is loaded only by the rehearsal's moto server (PYTHONPATH points here; Python imports
`sitecustomize` at start-up). It patches a model only where moto has no delete of its own, and logs
every delete it performs, so the rehearsal can report which deletions it supplied.
"""

import sys


def _log(resource_type: str, physical_id: str) -> None:
    print(f"rehearsal-moto: CloudFormation delete of {resource_type} {physical_id}", file=sys.stderr, flush=True)


def _gone(error: Exception) -> bool:
    """The resource, or the one it lives in, is already deleted: done, as CloudFormation treats it."""
    return "NotFound" in str(getattr(error, "error_type", "")) or "does not exist" in str(error)


def _idempotent(delete):
    def wrapper(self, account_id, region):
        try:
            delete(self, account_id, region)
        except Exception as error:  # noqa: BLE001 - anything else propagates for moto's retry loop
            if not _gone(error):
                raise

    return wrapper


def _ec2(account_id: str, region: str):
    from moto.ec2.models import ec2_backends

    return ec2_backends[account_id][region]


def _route_table_association(self, account_id, region):
    backend = _ec2(account_id, region)
    table = backend.get_route_table(self.route_table_id)
    for association_id, subnet_id in list(table._associations.items()):
        if subnet_id == self.subnet_id:
            backend.disassociate_route_table(association_id)
    _log("AWS::EC2::SubnetRouteTableAssociation", f"{self.route_table_id}/{self.subnet_id}")


def _route(self, account_id, region):
    _ec2(account_id, region).delete_route(self.route_table.id, self.destination_cidr_block)
    _log("AWS::EC2::Route", f"{self.route_table.id}~{self.destination_cidr_block}")


def _route_table(self, account_id, region):
    _ec2(account_id, region).delete_route_table(self.id)
    _log("AWS::EC2::RouteTable", self.id)


def _nat_gateway(self, account_id, region):
    _ec2(account_id, region).delete_nat_gateway(self.id)
    _log("AWS::EC2::NatGateway", self.id)


def _eip(self, account_id, region):
    _ec2(account_id, region).release_address(address=self.public_ip)
    _log("AWS::EC2::EIP", self.public_ip)


def _internet_gateway(self, account_id, region):
    _ec2(account_id, region).delete_internet_gateway(self.id)
    _log("AWS::EC2::InternetGateway", self.id)


def _gateway_attachment(self, account_id, region):
    _ec2(account_id, region).detach_internet_gateway(self.gateway_id, self.vpc_id)
    _log("AWS::EC2::VPCGatewayAttachment", f"{self.gateway_id}/{self.vpc_id}")


def _vpc_endpoint(self, account_id, region):
    backend = _ec2(account_id, region)
    # A gateway endpoint's routes go with it; a route table deleted before it took them along already.
    self.route_table_ids = [rt for rt in (self.route_table_ids or []) if rt in backend.route_tables]
    backend.delete_vpc_endpoints([self.id])
    _log("AWS::EC2::VPCEndpoint", self.id)


def _flow_log(self, account_id, region):
    _ec2(account_id, region).delete_flow_logs([self.id])
    _log("AWS::EC2::FlowLog", self.id)


def _install() -> None:
    try:
        from moto.ec2.models.elastic_ip_addresses import ElasticAddress
        from moto.ec2.models.flow_logs import FlowLogs
        from moto.ec2.models.internet_gateways import InternetGateway
        from moto.ec2.models.nat_gateways import NatGateway
        from moto.ec2.models.route_tables import Route, RouteTable
        from moto.ec2.models.subnets import SubnetRouteTableAssociation
        from moto.ec2.models.vpcs import VPCEndPoint
        from moto.ec2.models.vpn_gateway import VPCGatewayAttachment
    except ImportError:
        return  # not the moto venv: nothing to patch
    supplied = []
    for model, delete, resource_type in (
        (SubnetRouteTableAssociation, _route_table_association, "AWS::EC2::SubnetRouteTableAssociation"),
        (Route, _route, "AWS::EC2::Route"),
        (RouteTable, _route_table, "AWS::EC2::RouteTable"),
        (NatGateway, _nat_gateway, "AWS::EC2::NatGateway"),
        (ElasticAddress, _eip, "AWS::EC2::EIP"),
        (InternetGateway, _internet_gateway, "AWS::EC2::InternetGateway"),
        (VPCGatewayAttachment, _gateway_attachment, "AWS::EC2::VPCGatewayAttachment"),
        (VPCEndPoint, _vpc_endpoint, "AWS::EC2::VPCEndpoint"),
        (FlowLogs, _flow_log, "AWS::EC2::FlowLog"),
    ):
        if not hasattr(model, "delete"):  # a moto that deletes the type itself keeps its own
            model.delete = _idempotent(delete)
            supplied.append(resource_type)
    print(f"rehearsal-moto: CloudFormation delete supplied for: {' '.join(supplied) or 'nothing'}", file=sys.stderr, flush=True)


def _install_change_set_outputs() -> None:
    try:
        from moto.cloudformation.models import ChangeSet
        from moto.cloudformation.parsing import OutputMap
    except ImportError:
        return
    original = ChangeSet.apply

    def apply(self) -> None:
        original(self)
        # The stack of a CREATE change set was made from an empty template: take the change set's.
        self.stack.output_map = OutputMap(self.stack.resource_map, self.template_dict, self.stack.stack_id)

    ChangeSet.apply = apply
    print("rehearsal-moto: stack outputs recomputed after ChangeSet.apply", file=sys.stderr, flush=True)


_install()
_install_change_set_outputs()
