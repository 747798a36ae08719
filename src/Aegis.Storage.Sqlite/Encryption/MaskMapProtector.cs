using System.Security.Cryptography;
using System.Text;

namespace Aegis.Storage.Sqlite.Encryption;

/// <summary>
/// Encrypts mask maps at rest with AES-256-GCM. A protected value is
/// <c>version (1 byte) | nonce (12) | tag (16) | ciphertext</c>; the associated data binds it to
/// its run id, so a ciphertext copied onto another run does not decrypt.
/// </summary>
internal sealed class MaskMapProtector
{
    private const byte FormatVersion = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int HeaderSize = 1 + NonceSize + TagSize;
    private readonly byte[] _key;

    public MaskMapProtector(byte[] key, string keySource)
    {
        if (key.Length != 32)
        {
            throw new AegisException(AegisErrors.StoreKeyInvalid, $"{keySource}: the key must be 32 bytes (256 bits) encoded as base64");
        }

        _key = key;
        KeySource = keySource;
    }

    /// <summary>Where the key came from (a file path or the configuration key), for error messages; never the key.</summary>
    public string KeySource { get; }

    public byte[] Protect(ReadOnlySpan<byte> plaintext, string context)
    {
        var output = new byte[HeaderSize + plaintext.Length];
        output[0] = FormatVersion;
        var nonce = output.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(HeaderSize), output.AsSpan(1 + NonceSize, TagSize), Encoding.UTF8.GetBytes(context));
        return output;
    }

    /// <summary>Decrypts; throws <see cref="AegisErrors.StoreKeyInvalid"/> when the key is not the one the value was written with.</summary>
    public byte[] Unprotect(ReadOnlySpan<byte> protectedValue, string context, string what)
    {
        if (protectedValue.Length < HeaderSize || protectedValue[0] != FormatVersion)
        {
            throw new AegisException(AegisErrors.StoreKeyInvalid, $"{what}: the encrypted value is malformed");
        }

        var plaintext = new byte[protectedValue.Length - HeaderSize];
        try
        {
            using var aes = new AesGcm(_key, TagSize);
            aes.Decrypt(protectedValue.Slice(1, NonceSize), protectedValue[HeaderSize..], protectedValue.Slice(1 + NonceSize, TagSize), plaintext, Encoding.UTF8.GetBytes(context));
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw new AegisException(AegisErrors.StoreKeyInvalid, $"{what}: does not decrypt with the key from {KeySource}; restore the key it was written with", ex);
        }

        return plaintext;
    }
}
