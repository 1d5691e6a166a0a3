/**
 * The ZenML server's contracts with the rest of the project: the one ZenML version (the server
 * image, the client pin in requirements/zenml.txt and the server pin in
 * requirements/zenml-server.txt are held to it by test/lib/settings/zenml.test.ts), and the
 * Kubernetes names the step pods, `npm run zenml-login` and the docs use.
 */

/** The ZenML release this project deploys and is tested against. */
export const ZENML_VERSION = '0.98.0';

/** The official server image of that release (docker/base.Dockerfile, target `server`, in zenml-io/zenml). */
export const ZENML_SERVER_IMAGE = `zenmldocker/zenml-server:${ZENML_VERSION}`;

export const ZENML_NAMESPACE = 'zenml';
export const ZENML_SERVER_SERVICE_ACCOUNT = 'zenml-server';
export const ZENML_SERVER_SERVICE = 'zenml-server';
export const ZENML_SERVER_PORT = 8080;
/** The one-shot Job that creates the server's IAM database user (zenmlDatabaseAuth=iam). */
export const ZENML_DB_BOOTSTRAP_SERVICE_ACCOUNT = 'zenml-db-bootstrap';

/**
 * The URL step pods (and the server itself, for links) use: the Service's cluster DNS name. A
 * client that logged in through a port-forward hands its own URL (127.0.0.1) to the pods it
 * starts, so the step operator overrides the store URL in-cluster with this one.
 */
export const ZENML_SERVER_IN_CLUSTER_URL = `http://${ZENML_SERVER_SERVICE}.${ZENML_NAMESPACE}.svc:${ZENML_SERVER_PORT}`;

/** The MySQL user the server logs in as with an RDS IAM token (created by the bootstrap Job). */
export const ZENML_DB_IAM_USER = 'zenml_server';

/** AWS_ZENML_SECRET_NAME_PREFIX in zenml/zen_stores/secrets_stores/aws_secrets_store.py (no setting). */
export const ZENML_SECRETS_STORE_PREFIX = 'zenml/';
