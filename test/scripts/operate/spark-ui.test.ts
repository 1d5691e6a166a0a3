import * as fs from 'node:fs';
import { createServer, type Server } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { forwardHint, main } from '../../../scripts/operate/spark-ui';

const IMAGE_HINT = /build-spark-image\.sh/;

/** A port nothing listens on now. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as { port: number };
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('npm run spark-ui', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('GIVEN the local port is taken WHEN it starts THEN one line names the port and the flag, before any kubectl call', async () => {
    await expect(
      main(['--local-port', String(port), '--kubectl', '/nonexistent/kubectl'], {}),
    ).rejects.toThrow(
      new RegExp(
        `^port ${port} on 127\\.0\\.0\\.1 is in use \\(another port-forward\\?\\): pick a free one with --local-port N$`,
      ),
    );
  });

  test('--help documents the exit codes and the default port the printed links use', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    await expect(main(['--help'], {})).resolves.toBe(0);
    expect(log.mock.calls[0][0]).toMatch(/default 18080, the port the printed step links use/);
    expect(log.mock.calls[0][0]).toMatch(/Exit codes: 0 .* 1 .* 2 bad flags/);
    log.mockRestore();
  });

  // A fresh-user trial: a missing kube context was answered with the image hint.
  test('GIVEN a kube context that does not exist WHEN it starts THEN kubectl says so, with a kubeconfig hint and no image hint', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zse-spark-ui-'));
    try {
      const kubectl = path.join(dir, 'kubectl');
      fs.writeFileSync(kubectl, '#!/bin/sh\necho \'error: context "nope" does not exist\' >&2\nexit 1\n', {
        mode: 0o755,
      });
      const error = await main(
        ['--kubectl', kubectl, '--kube-context', 'nope', '--local-port', String(await freePort())],
        { PATH: process.env.PATH },
      ).catch((e: Error) => e);
      expect((error as Error).message).toMatch(
        /^kubectl port-forward exited \(1\): error: context "nope" does not exist; check your kubeconfig: kubectl config get-contexts /,
      );
      expect((error as Error).message).not.toMatch(IMAGE_HINT);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('spark-ui: the hint after a failed port-forward', () => {
  test.each([
    'error: unable to forward port because pod is not running. Current status=Pending',
    'error: no running pod for service spark-history-server',
  ])('about the server pod (%s): the image hint', (output) => {
    expect(forwardHint(output)).toMatch(/^check 'kubectl get pods -n spark-history' .*build-spark-image\.sh/);
  });

  test('the Service or namespace missing: not deployed here, no image hint', () => {
    const hint = forwardHint('Error from server (NotFound): services "spark-history-server" not found');
    expect(hint).toMatch(/^no history server on this cluster: /);
    expect(hint).not.toMatch(IMAGE_HINT);
  });

  test.each([
    'error: context "nope" does not exist',
    'Unable to connect to the server: dial tcp: lookup x.eks.amazonaws.com: no such host',
    'error: You must be logged in to the server (Unauthorized)',
  ])('about the kubeconfig or the connection (%s): the kubeconfig hint, no image hint', (output) => {
    expect(forwardHint(output)).toMatch(/^check your kubeconfig: /);
    expect(forwardHint(output)).not.toMatch(IMAGE_HINT);
  });
});
