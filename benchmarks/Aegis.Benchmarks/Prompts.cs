using System.Text;
using Aegis.Benchmarking;

namespace Aegis.Benchmarks;

/// <summary>Realistic prompts of a given size: ordinary prose with an email address and a phone number in it.</summary>
internal static class Prompts
{
    /// <summary>The e-mail address in every prompt.</summary>
    public const string Email = BenchmarkTexts.Email;

    /// <summary>The phone number in every prompt.</summary>
    public const string Phone = BenchmarkTexts.Phone;

    /// <summary>The load test's answer (<see cref="BenchmarkTexts.Answer"/>): about 700 characters, no PII.</summary>
    public const string Answer = BenchmarkTexts.Answer;

    /// <summary><see cref="Answer"/> addressed to the caller through the two placeholders an ingress pass gave their values.</summary>
    public static readonly string AnswerWithPlaceholders =
        Answer[..Answer.IndexOf("contract review", StringComparison.Ordinal)]
        + "contract review. I will send it to <EMAIL_ADDRESS_1> and call <PHONE_NUMBER_1> if anything is unclear.";

    /// <summary>The 1 KB-style prompt of <see cref="BenchmarkTexts.Prompt"/>, <paramref name="bytes"/> characters long.</summary>
    public static string Make(int bytes) => BenchmarkTexts.Prompt(bytes);

    /// <summary>Prose of <paramref name="bytes"/> characters with dates, counts and ids but no PII.</summary>
    public static string MakeWithNumbers(int bytes)
    {
        const string Sentence =
            "In Q3 2024 we shipped 12 boxes and 45 pallets to 7 stores; 18 arrived late on 3 May and 2 were lost, " +
            "see ticket 4471 and the 2023 report, pages 12-14. ";
        var sb = new StringBuilder(bytes + Sentence.Length);
        while (sb.Length < bytes)
        {
            sb.Append(Sentence);
        }

        sb.Length = bytes;
        return sb.ToString();
    }

    /// <summary>Splits <paramref name="text"/> into <paramref name="count"/> chunks the way the load test's mock streams its answer.</summary>
    public static string[] Chunks(string text, int count)
    {
        var chunks = new string[count];
        for (var i = 0; i < count; i++)
        {
            chunks[i] = text[(text.Length * i / count)..(text.Length * (i + 1) / count)];
        }

        return chunks;
    }
}
