import {
  HttpClient,
  isHtmlPage,
  parseRetryAfter,
  redact,
  type HttpClientOptions,
} from '../../../api/src/data/http-client';
import { ProviderError } from '../../../api/src/data/providers/types';
import { TokenBucket } from '../../../api/src/data/rate-limit';
import { HttpFixture, rejectionOf, useHttpFixture } from '../../support/http-fixture';
import { clockedHttpClient, VirtualClock } from '../../support/virtual-clock';

const server = useHttpFixture();

/** A client with test-sized limits whose waits are recorded instead of slept. */
function testClient(options: HttpClientOptions = {}) {
  const sleeps: number[] = [];
  const client = new HttpClient({
    timeoutMs: 1_000,
    retries: 2,
    backoffMs: 100,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options,
  });
  return { client, sleeps };
}

const REQUEST = { provider: 'test', what: 'the test file' };

/** Awaits `promise`, expects it to reject with a ProviderError and returns that error. */
async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe('HttpClient: success and retries', () => {
  it('returns the body and sends the user agent and request headers', async () => {
    server.queue('/ok', { body: 'hello, world' });
    const { client } = testClient({ userAgent: 'iwm-test/1' });
    const text = await client.getText(`${server.baseUrl}/ok`, { ...REQUEST, headers: { accept: 'text/csv' } });
    expect(text).toBe('hello, world');
    const [request] = server.requestsTo('/ok');
    expect(request.headers['user-agent']).toBe('iwm-test/1');
    expect(request.headers.accept).toBe('text/csv');
  });

  it('decodes the body as UTF-8', async () => {
    server.queue('/utf8', { body: Buffer.from('Société Générale ✓', 'utf8') });
    const { client } = testClient();
    expect(await client.getText(`${server.baseUrl}/utf8`, REQUEST)).toBe('Société Générale ✓');
  });

  it('retries a 500 and returns the next answer', async () => {
    server.queue('/flaky', { status: 500, body: 'oops' }, { body: 'fine' });
    const { client, sleeps } = testClient();
    expect(await client.getText(`${server.baseUrl}/flaky`, REQUEST)).toBe('fine');
    expect(server.requestsTo('/flaky')).toHaveLength(2);
    expect(sleeps).toEqual([50]); // random 0.5 * base 100
  });

  it.each([502, 504])('retries a %i', async (status) => {
    server.queue('/gateway', { status }, { body: 'back' });
    const { client } = testClient();
    expect(await client.getText(`${server.baseUrl}/gateway`, REQUEST)).toBe('back');
    expect(server.requestsTo('/gateway')).toHaveLength(2);
  });

  it('gives up on 503 forever after exactly retries + 1 attempts, naming provider, what and cause', async () => {
    server.always('/down', { status: 503, body: 'Service Unavailable' });
    const { client, sleeps } = testClient({ retries: 3 });
    const error = await providerError(client.getText(`${server.baseUrl}/down`, REQUEST));
    expect(server.requestsTo('/down')).toHaveLength(4);
    expect(sleeps).toHaveLength(3);
    expect(error.provider).toBe('test');
    expect(error.status).toBe(503);
    expect(error.message).toMatch(/^test: the test file failed after 4 attempts: server error \(HTTP 503\)/);
    expect(error.message).toContain('Service Unavailable');
  });

  it('backs off exponentially with full jitter, capped', async () => {
    server.always('/down', { status: 500 });
    const draws = [0.5, 0.5, 0.5, 0.5, 0.25];
    const { client, sleeps } = testClient({
      retries: 5,
      backoffMs: 100,
      maxBackoffMs: 250,
      random: () => draws.shift()!,
    });
    await providerError(client.getText(`${server.baseUrl}/down`, REQUEST));
    // base * 2^(n-1) = 100, 200, 400, 800, 1600, capped at 250, times the random draw.
    expect(sleeps).toEqual([50, 100, 125, 125, 62]);
  });

  it('retries a refused connection and reports a network error', async () => {
    const closed = await HttpFixture.start();
    const url = `${closed.baseUrl}/gone`;
    await closed.close();
    const { client, sleeps } = testClient({ retries: 1 });
    const error = await providerError(client.getText(url, REQUEST));
    expect(sleeps).toHaveLength(1);
    expect(error.message).toMatch(/failed after 2 attempts: network error: .*ECONNREFUSED/);
    expect(error.status).toBeUndefined();
  });

  it('refuses a malformed URL without a request', async () => {
    const { client, sleeps } = testClient();
    const error = await providerError(client.getText('not a url?token=abc', REQUEST));
    expect(error.message).toContain('not a valid URL');
    expect(error.message).not.toContain('abc');
    expect(sleeps).toEqual([]);
  });
});

describe('HttpClient: rate limits', () => {
  it('waits the Retry-After seconds of a 429 before the next attempt', async () => {
    server.queue('/limited', { status: 429, headers: { 'retry-after': '1' } }, { body: 'ok' });
    const { client, sleeps } = testClient();
    expect(await client.getText(`${server.baseUrl}/limited`, REQUEST)).toBe('ok');
    expect(sleeps).toEqual([1000]);
  });

  it('honours Retry-After given as an HTTP date on a 503', async () => {
    const now = Date.parse('Fri, 29 Nov 2024 21:00:00 GMT');
    server.queue('/busy', { status: 503, headers: { 'retry-after': 'Fri, 29 Nov 2024 21:00:03 GMT' } }, { body: 'ok' });
    const { client, sleeps } = testClient({ now: () => now });
    expect(await client.getText(`${server.baseUrl}/busy`, REQUEST)).toBe('ok');
    expect(sleeps).toEqual([3000]);
  });

  it('fails at once when Retry-After is longer than the cap', async () => {
    server.always('/limited', { status: 429, headers: { 'retry-after': '3600' } });
    const { client, sleeps } = testClient({ maxRetryAfterMs: 60_000 });
    const error = await providerError(client.getText(`${server.baseUrl}/limited`, REQUEST));
    expect(server.requestsTo('/limited')).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(error.status).toBe(429);
    expect(error.message).toContain('rate limited, retry after 3600 s');
  });

  it('uses its own backoff for a 429 without Retry-After and says it was rate limited', async () => {
    server.always('/limited', { status: 429 });
    const { client, sleeps } = testClient({ retries: 1 });
    const error = await providerError(client.getText(`${server.baseUrl}/limited`, REQUEST));
    expect(sleeps).toEqual([50]);
    expect(error.message).toContain('failed after 2 attempts: rate limited (HTTP 429)');
  });

  it('ignores Retry-After on a 500', async () => {
    server.queue('/err', { status: 500, headers: { 'retry-after': '3600' } }, { body: 'ok' });
    const { client, sleeps } = testClient();
    expect(await client.getText(`${server.baseUrl}/err`, REQUEST)).toBe('ok');
    expect(sleeps).toEqual([50]);
  });

  it('parses Retry-After forms', () => {
    const now = Date.parse('2024-11-29T21:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Fri, 29 Nov 2024 21:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Fri, 29 Nov 2024 20:00:00 GMT', now)).toBe(0); // in the past
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('HttpClient: answers not worth retrying', () => {
  it('does not retry a 404 and says not found', async () => {
    server.always('/missing', { status: 404, body: '{"detail":"Error: Ticker \'ZZZZ\' not found"}' });
    const { client, sleeps } = testClient();
    const error = await providerError(client.getText(`${server.baseUrl}/missing`, REQUEST));
    expect(server.requestsTo('/missing')).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(error.status).toBe(404);
    expect(error.message).toContain('failed after 1 attempt: not found (HTTP 404)');
    expect(error.message).toContain("Ticker 'ZZZZ' not found");
  });

  it.each([401, 403])('does not retry a %i and says the key was rejected', async (status) => {
    server.always('/auth', { status, body: '{"detail":"Invalid token."}' });
    const { client } = testClient();
    const error = await providerError(client.getText(`${server.baseUrl}/auth`, REQUEST));
    expect(server.requestsTo('/auth')).toHaveLength(1);
    expect(error.status).toBe(status);
    expect(error.message).toContain(`access refused (HTTP ${status}): key rejected`);
  });

  it('does not retry another 4xx', async () => {
    server.always('/bad', { status: 400, body: 'bad request' });
    const { client } = testClient();
    const error = await providerError(client.getText(`${server.baseUrl}/bad`, REQUEST));
    expect(server.requestsTo('/bad')).toHaveLength(1);
    expect(error.message).toContain('HTTP 400: bad request');
  });

  it('shows an HTML error page as such, not as markup', async () => {
    server.always('/html', { status: 404, body: '<!DOCTYPE html><html><body>Not Found</body></html>' });
    const { client } = testClient();
    const error = await providerError(client.getText(`${server.baseUrl}/html`, REQUEST));
    expect(error.message).toContain('(an HTML page)');
    expect(error.message).not.toContain('<html>');
  });

  it('refuses a body over maxBodyBytes by its Content-Length, without retrying', async () => {
    server.always('/big', { body: 'x'.repeat(1000) });
    const { client } = testClient({ maxBodyBytes: 100 });
    const error = await providerError(client.getText(`${server.baseUrl}/big`, REQUEST));
    expect(server.requestsTo('/big')).toHaveLength(1);
    expect(error.message).toContain('over the 100-byte limit');
  });

  it('refuses a streamed body once it passes maxBodyBytes', async () => {
    let calls = 0;
    const fetchStream: typeof fetch = async () => {
      calls++;
      // No Content-Length: only counting the bytes read can catch it.
      return new Response(new Blob(['y'.repeat(5000)]).stream(), { status: 200 });
    };
    const { client } = testClient({ maxBodyBytes: 1000, fetch: fetchStream });
    const error = await providerError(client.getText('http://example.test/stream', REQUEST));
    expect(calls).toBe(1);
    expect(error.message).toContain('over the 1000-byte limit');
  });
});

describe('HttpClient: timeouts and broken bodies', () => {
  it('times out a slow answer, retries, and names the timeout', async () => {
    server.always('/slow', { delayMs: 2_000, body: 'too late' });
    const { client } = testClient({ timeoutMs: 60, retries: 1 });
    // The server would answer after 2 s; each attempt gives up at 60 ms (the message says so).
    const error = await providerError(client.getText(`${server.baseUrl}/slow`, REQUEST));
    expect(server.requestsTo('/slow')).toHaveLength(2);
    expect(error.message).toContain('failed after 2 attempts: timed out after 60 ms');
  });

  it('recovers when the attempt after a timeout is fast', async () => {
    server.queue('/slow', { delayMs: 2_000, body: 'too late' }, { body: 'in time' });
    const { client } = testClient({ timeoutMs: 60 });
    expect(await client.getText(`${server.baseUrl}/slow`, REQUEST)).toBe('in time');
  });

  it('retries a body cut off mid-stream', async () => {
    const body = 'Date,Open,High,Low,Close,Volume\n2024-11-29,240,242,239,241,100\n';
    server.queue('/cut', { body, truncateAfter: 20 }, { body });
    const { client, sleeps } = testClient();
    expect(await client.getText(`${server.baseUrl}/cut`, REQUEST)).toBe(body);
    expect(server.requestsTo('/cut')).toHaveLength(2);
    expect(sleeps).toHaveLength(1);
  });

  it('reports truncation when every attempt is cut off', async () => {
    server.always('/cut', { body: 'a'.repeat(200), truncateAfter: 50 });
    const { client } = testClient({ retries: 1 });
    const error = await providerError(client.getText(`${server.baseUrl}/cut`, REQUEST));
    expect(server.requestsTo('/cut')).toHaveLength(2);
    expect(error.message).toMatch(/failed after 2 attempts: connection dropped mid-body \(truncated\)/);
  });

  it('retries an answer that declares more bytes than it sends', async () => {
    server.queue('/short', { body: 'short', declaredLength: 500 }, { body: 'complete' });
    const { client } = testClient();
    expect(await client.getText(`${server.baseUrl}/short`, REQUEST)).toBe('complete');
    expect(server.requestsTo('/short')).toHaveLength(2);
  });

  it('compares Content-Length with the body when the stream ends cleanly', async () => {
    const answers = [
      new Response('abc', { headers: { 'content-length': '10' } }),
      new Response('abcdefghij', { headers: { 'content-length': '10' } }),
    ];
    const { client } = testClient({ fetch: async () => answers.shift()! });
    expect(await client.getText('http://example.test/x', REQUEST)).toBe('abcdefghij');
    expect(answers).toHaveLength(0);

    const short = testClient({
      retries: 0,
      fetch: async () => new Response('abc', { headers: { 'content-length': '10' } }),
    });
    const error = await providerError(short.client.getText('http://example.test/x', REQUEST));
    expect(error.message).toContain('truncated body: 3 of 10 bytes');
  });

  it('does not compare Content-Length with a decoded compressed body', async () => {
    const answer = new Response('decoded text', { headers: { 'content-length': '5', 'content-encoding': 'gzip' } });
    const { client } = testClient({ retries: 0, fetch: async () => answer });
    expect(await client.getText('http://example.test/x', REQUEST)).toBe('decoded text');
  });
});

describe('HttpClient: concurrency', () => {
  it('never has more than maxConcurrency requests in flight', async () => {
    server.always('/c', { delayMs: 40, body: 'ok' });
    const { client } = testClient({ maxConcurrency: 2 });
    const results = await Promise.all(Array.from({ length: 6 }, () => client.getText(`${server.baseUrl}/c`, REQUEST)));
    expect(results).toEqual(Array(6).fill('ok'));
    expect(server.requestsTo('/c')).toHaveLength(6);
    expect(server.peakInFlight).toBe(2);
  });

  it('starts queued requests in arrival order', async () => {
    server.always('/a', { delayMs: 20, body: 'a' });
    server.always('/b', { body: 'b' });
    server.always('/c', { body: 'c' });
    const { client } = testClient({ maxConcurrency: 1 });
    await Promise.all(['/a', '/b', '/c', '/b'].map((path) => client.getText(`${server.baseUrl}${path}`, REQUEST)));
    expect(server.requests.map((request) => request.path)).toEqual(['/a', '/b', '/c', '/b']);
    expect(server.peakInFlight).toBe(1);
  });

  it('frees the slot of a failed request', async () => {
    server.always('/missing', { status: 404 });
    server.always('/ok', { body: 'ok' });
    const { client } = testClient({ maxConcurrency: 1 });
    const failed = client.getText(`${server.baseUrl}/missing`, REQUEST).catch((error: unknown) => error);
    expect(await client.getText(`${server.baseUrl}/ok`, REQUEST)).toBe('ok');
    expect(await failed).toBeInstanceOf(ProviderError);
  });
});

describe('redaction', () => {
  it('hides token, api_key and apikey query values in failure messages', async () => {
    server.always('/secret', { status: 404 });
    const { client } = testClient();
    const url = `${server.baseUrl}/secret?s=iwm.us&token=T0KEN1&api_key=K3Y2&APIKEY=K3Y3`;
    const error = await providerError(client.getText(url, REQUEST));
    expect(error.message).not.toMatch(/T0KEN1|K3Y2|K3Y3/);
    expect(error.message).toContain('s=iwm.us&token=***&api_key=***&APIKEY=***');
  });

  it('hides given secrets wherever they appear, e.g. echoed in an error body', async () => {
    server.always('/echo', { status: 401, body: '{"detail":"token s3cr3t-key is not valid"}' });
    const { client } = testClient();
    const error = await providerError(
      client.getText(`${server.baseUrl}/echo`, { ...REQUEST, secrets: ['s3cr3t-key'] }),
    );
    expect(error.message).not.toContain('s3cr3t-key');
    expect(error.message).toContain('token *** is not valid');
  });

  it('redact() leaves other parameters alone', () => {
    expect(redact('https://x.test/p?token=abc&id=T10Y2Y#frag')).toBe('https://x.test/p?token=***&id=T10Y2Y#frag');
    expect(redact('no secrets here', [''])).toBe('no secrets here');
  });
});

describe('HttpClient: an HTML page where data was expected', () => {
  const PAGE = '<!DOCTYPE html>\n<html><head><title>  Just a\n moment...</title></head><body>checking</body></html>';

  it('fails at once, naming the provider, what was expected, the page title and the hint', async () => {
    server.always('/page', { body: PAGE, headers: { 'content-type': 'text/html' } });
    const { client, sleeps } = testClient();
    const error = await providerError(
      client.getText(`${server.baseUrl}/page`, { ...REQUEST, expects: 'CSV', htmlHint: 'is the URL right?' }),
    );
    expect(server.requestsTo('/page')).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(error.provider).toBe('test');
    expect(error.message).toBe(
      `test: the test file failed after 1 attempt: answered an HTML page, not CSV (title "Just a moment..."): ` +
        `is the URL right? [${server.baseUrl}/page]`,
    );
  });

  it('says "not data" and no title when neither is known', async () => {
    server.always('/page', {
      body: '\uFEFF  \n<html><body>hi</body></html>',
      headers: { 'content-type': 'text/plain' },
    });
    const { client } = testClient();
    const error = await providerError(client.getText(`${server.baseUrl}/page`, REQUEST));
    expect(error.message).toContain('failed after 1 attempt: answered an HTML page, not data [');
  });

  it('tells a page from data by the body, not by the label alone', () => {
    expect(isHtmlPage(null, '<html></html>')).toBe(true);
    expect(isHtmlPage('application/json', '  <?xml version="1.0"?>')).toBe(true);
    expect(isHtmlPage('text/html; charset=utf-8', 'Please wait\n<script>solve()</script>')).toBe(true);
    expect(isHtmlPage('TEXT/HTML', 'Redirecting...<!DOCTYPE html>')).toBe(true);
    // CSV or JSON that a server labels text/html is still data.
    expect(isHtmlPage('text/html', 'Date,Open,High,Low,Close,Volume\n2024-11-29,1,2,0.5,1.5,10\n')).toBe(false);
    expect(isHtmlPage('text/html', '{"note":"1 < 2"}')).toBe(false);
    expect(isHtmlPage('text/csv', 'Date,Open\n<b>')).toBe(false);
  });
});

describe('HttpClient: getJson', () => {
  it('returns the parsed body', async () => {
    server.queue('/json', { body: '{"status":"OK","results":[1,2]}' });
    const { client } = testClient();
    expect(await client.getJson(`${server.baseUrl}/json`, REQUEST)).toEqual({ status: 'OK', results: [1, 2] });
  });

  it('retries a well-framed body that is only part of the JSON, and returns the next whole one', async () => {
    const whole = JSON.stringify({ status: 'OK', results: [{ c: 1 }, { c: 2 }] });
    server.queue('/json', { body: whole.slice(0, 25) }, { body: whole });
    const { client, sleeps } = testClient();
    expect(await client.getJson(`${server.baseUrl}/json`, REQUEST)).toEqual(JSON.parse(whole));
    expect(server.requestsTo('/json')).toHaveLength(2);
    expect(sleeps).toEqual([50]);
  });

  it('gives up on JSON that never parses after retries + 1 attempts', async () => {
    server.always('/json', { body: '{"status":"OK","results":[' });
    const { client } = testClient({ retries: 2 });
    const error = await providerError(client.getJson(`${server.baseUrl}/json`, REQUEST));
    expect(server.requestsTo('/json')).toHaveLength(3);
    expect(error.message).toMatch(
      /^test: the test file failed after 3 attempts: answer is not valid JSON \(cut short\?\)/,
    );
  });

  it('says "not JSON" for an HTML page', async () => {
    server.always('/json', { body: '<html><title>502 Bad Gateway</title></html>' });
    const { client } = testClient();
    const error = await providerError(client.getJson(`${server.baseUrl}/json`, REQUEST));
    expect(error.message).toContain('answered an HTML page, not JSON (title "502 Bad Gateway")');
  });
});

describe('HttpClient: a request limiter', () => {
  /** A client and limiter on one virtual clock; `sent` holds the virtual time of each request. */
  function limitedClient(perMinute: number, burst: number) {
    const clock = new VirtualClock(0);
    const { client, sent } = clockedHttpClient(clock);
    const limiter = new TokenBucket({ perMinute, burst, now: clock.now, sleep: clock.sleep });
    return { client, limiter, sent, request: { ...REQUEST, limiter } };
  }

  it('takes a token before every request: 5 a minute sends at 0, 12 and 24 s', async () => {
    server.always('/q', { body: 'ok' });
    const { client, sent, request } = limitedClient(5, 1);
    await Promise.all([1, 2, 3].map(() => client.getText(`${server.baseUrl}/q`, request)));
    expect(sent).toEqual([0, 12_000, 24_000]);
  });

  it('after a 429 waits both Retry-After and a whole token interval: the 429 drains the burst', async () => {
    server.queue('/q', { status: 429, headers: { 'retry-after': '1' } }, { body: 'ok' });
    const { client, sent, request } = limitedClient(5, 5);
    expect(await client.getText(`${server.baseUrl}/q`, request)).toBe('ok');
    // Without the drain the 4 tokens left would send the retry at 1 s, into the same wall.
    expect(sent).toEqual([0, 12_000]);
  });

  it('counts retries against the quota too', async () => {
    server.queue('/q', { status: 500 }, { status: 502 }, { body: 'ok' });
    const { client, sent, request } = limitedClient(6, 1);
    expect(await client.getText(`${server.baseUrl}/q`, request)).toBe('ok');
    // Backoffs of 50 and 100 ms are shorter than the 10 s between tokens.
    expect(sent).toEqual([0, 10_000, 20_000]);
  });
});

describe('HttpClient: options', () => {
  it.each([
    [{ timeoutMs: 0 }, /timeoutMs/],
    [{ retries: -1 }, /retries/],
    [{ retries: 1.5 }, /retries/],
    [{ maxConcurrency: 0 }, /maxConcurrency/],
    [{ backoffMs: Number.NaN }, /backoffMs/],
  ])('rejects %o', (options, message) => {
    expect(() => new HttpClient(options)).toThrow(message);
  });
});
