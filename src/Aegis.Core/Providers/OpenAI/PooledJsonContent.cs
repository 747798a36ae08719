using System.Net;
using Aegis.Pooling;

namespace Aegis.Providers.OpenAI;

/// <summary>
/// A request body of UTF-8 JSON held in a <see cref="PooledBufferWriter"/>: sent with <c>Content-Length</c> and
/// <c>Content-Type: application/json</c>, and its array returned to the pool when the content is disposed — but never
/// while the handler is still writing it to the connection, so a reused array can never reach another request's wire.
/// </summary>
internal sealed class PooledJsonContent : HttpContent
{
    private const int Idle = 0;
    private const int Sending = 1;
    private const int Disposed = 2;

    private readonly PooledBufferWriter _body;
    private int _state;

    public PooledJsonContent(PooledBufferWriter body)
    {
        _body = body;
        Headers.TryAddWithoutValidation("Content-Type", "application/json");
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        Begin();
        try
        {
            await stream.WriteAsync(_body.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            End();
        }
    }

    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        Begin();
        try
        {
            stream.Write(_body.WrittenSpan);
        }
        finally
        {
            End();
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _body.WrittenCount;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        // While a send is in flight the sender returns the array when it finishes (End).
        if (disposing && Interlocked.Exchange(ref _state, Disposed) == Idle)
        {
            _body.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Begin() => ObjectDisposedException.ThrowIf(Interlocked.CompareExchange(ref _state, Sending, Idle) != Idle, this);

    private void End()
    {
        if (Interlocked.CompareExchange(ref _state, Idle, Sending) == Disposed)
        {
            _body.Dispose();
        }
    }
}
