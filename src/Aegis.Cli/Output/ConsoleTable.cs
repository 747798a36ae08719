namespace Aegis.Cli.Output;

/// <summary>Renders rows as a plain text table with aligned columns.</summary>
internal static class ConsoleTable
{
    /// <summary>Writes <paramref name="headers"/> and <paramref name="rows"/>, two spaces between columns.</summary>
    public static void Write(TextWriter writer, IReadOnlyList<string> headers, IReadOnlyList<string[]> rows)
    {
        var widths = new int[headers.Count];
        for (var i = 0; i < headers.Count; i++)
        {
            widths[i] = headers[i].Length;
        }

        foreach (var row in rows)
        {
            for (var i = 0; i < widths.Length && i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        WriteRow(writer, headers, widths);
        foreach (var row in rows)
        {
            WriteRow(writer, row, widths);
        }
    }

    private static void WriteRow(TextWriter writer, IReadOnlyList<string> cells, int[] widths)
    {
        for (var i = 0; i < widths.Length; i++)
        {
            var cell = i < cells.Count ? cells[i] : string.Empty;
            if (i == widths.Length - 1)
            {
                writer.Write(cell);
            }
            else
            {
                writer.Write(cell.PadRight(widths[i] + 2));
            }
        }

        writer.WriteLine();
    }
}
