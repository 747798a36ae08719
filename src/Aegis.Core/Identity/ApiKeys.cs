using System.Security.Cryptography;
using System.Text;

namespace Aegis;

/// <summary>
/// API key format and hashing, shared by every key store: keys are <c>aeg-</c> followed by 64
/// lower-case hex digits (256 random bits); stores keep only the SHA-256 of the key.
/// </summary>
public static class ApiKeys
{
    /// <summary>The key prefix.</summary>
    public const string Prefix = "aeg-";

    /// <summary>Length of a key: the prefix plus 64 hex digits.</summary>
    public const int Length = 68;

    /// <summary>Generates a new random key.</summary>
    public static string Generate()
    {
        Span<byte> bytes = stackalloc byte[32];
        RandomNumberGenerator.Fill(bytes);
        return Prefix + Convert.ToHexStringLower(bytes);
    }

    /// <summary>Generates a new key id (not secret), e.g. <c>key_3f9a1c2b7d4e</c>.</summary>
    public static string GenerateId()
    {
        Span<byte> bytes = stackalloc byte[6];
        RandomNumberGenerator.Fill(bytes);
        return "key_" + Convert.ToHexStringLower(bytes);
    }

    /// <summary>Whether <paramref name="key"/> has the shape of an Aegis key (it may still be unknown or revoked).</summary>
    public static bool IsWellFormed(ReadOnlySpan<char> key)
    {
        if (key.Length != Length || !key.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in key[Prefix.Length..])
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The SHA-256 of <paramref name="key"/> as lower-case hex: what stores keep and look up.</summary>
    public static string Hash(ReadOnlySpan<char> key)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        if (key.Length <= 256)
        {
            Span<byte> utf8 = stackalloc byte[256 * 3];
            var n = Encoding.UTF8.GetBytes(key, utf8);
            SHA256.HashData(utf8[..n], hash);
        }
        else
        {
            SHA256.HashData(Encoding.UTF8.GetBytes(key.ToArray()), hash);
        }

        return Convert.ToHexStringLower(hash);
    }
}
