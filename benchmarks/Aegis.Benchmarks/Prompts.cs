using System.Text;

namespace Aegis.Benchmarks;

/// <summary>Realistic prompts of a given size: ordinary prose with an email address and a phone number in it.</summary>
internal static class Prompts
{
    private const string Prose =
        "We are reviewing the quarterly supplier report and need a short summary of the delivery delays, " +
        "the open invoices and the actions agreed in the last meeting. Keep the tone neutral and list the " +
        "three most important follow-ups with an owner each. ";

    public static string Make(int bytes)
    {
        var sb = new StringBuilder(bytes + 128);
        sb.Append("Contact me at jane.doe@example.com or +1 415 555 0132 about this. ");
        while (sb.Length < bytes)
        {
            sb.Append(Prose);
        }

        sb.Length = bytes;
        return sb.ToString();
    }
}
