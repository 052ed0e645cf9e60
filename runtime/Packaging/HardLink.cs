using System.Runtime.InteropServices;

namespace ModelOperator.Runtime.Packaging;

/// <summary>Gives a file a second name without copying it (the model file next to its blob); copies where links are impossible.</summary>
internal static class HardLink
{
    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int Link([MarshalAs(UnmanagedType.LPUTF8Str)] string existing, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);

    public static void CreateOrCopy(string existing, string newPath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(newPath)!);
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            try
            {
                if (Link(existing, newPath) == 0) return;
            }
            catch (DllNotFoundException) { }
            catch (EntryPointNotFoundException) { }
        }
        File.Copy(existing, newPath);
    }
}
