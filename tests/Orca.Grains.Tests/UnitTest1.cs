namespace Orca.Grains.Tests;

public class UnitTest1
{
    [Fact]
    public void Test1()
    {

    }
}
