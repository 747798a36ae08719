using System.Buffers;

namespace Aegis.Storage.Sqlite.Runs;

/// <summary>UTF-8 bytes in a buffer rented from <see cref="ArrayPool{T}.Shared"/>.</summary>
internal readonly struct PooledUtf8
{
    private readonly byte[] _buffer;
    private readonly int _length;

    private PooledUtf8(byte[] buffer, int length)
    {
        _buffer = buffer;
        _length = length;
    }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, _length);

    public static PooledUtf8 Copy(ReadOnlySpan<byte> bytes)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(bytes.Length);
        bytes.CopyTo(buffer);
        return new PooledUtf8(buffer, bytes.Length);
    }

    /// <summary>Returns the buffer to the pool; the value must not be used afterwards.</summary>
    public void Return() => ArrayPool<byte>.Shared.Return(_buffer);
}
