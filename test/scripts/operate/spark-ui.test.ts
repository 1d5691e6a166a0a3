import { createServer, type Server } from 'node:net';
import { main } from '../../../scripts/operate/spark-ui';

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
});
